"""Our own recorded Slack payloads (tests/fixtures/chat/slack), signed on demand."""

from __future__ import annotations

from pathlib import Path

from chat_gateway.slack.pipeline import Workspace
from chat_gateway.slack.verify import sign

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "chat" / "slack"
TEAM = "T0HOTLINE"
TENANT = "acme"  # the configured tenant of TEAM: never the team id itself
WORKSPACES = {
    TEAM: Workspace(
        signing_secrets=("sig-hotline-0123456789",),
        bot_user_id="U0BOT",
        app_id="A0HOTLINE",
        tenant=TENANT,
        trusted=True,
    ),
    "T0OTHER": Workspace(signing_secrets=("sig-other-9876543210",), tenant="globex"),
}


def load(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


def signed_headers(body: bytes, ts: int, secret: str = "sig-hotline-0123456789") -> dict[str, str]:
    return {
        "x-slack-request-timestamp": str(ts),
        "x-slack-signature": sign(secret, str(ts), body),
        "content-type": "application/json",
    }
