"""The tenant of every event and ops record is its channel account's (HOTLINE_TENANTS), decided
per event: the event id and the conversation key are built with that same tenant."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from hotline import events as ev
from hotline.tenancy import Tenancy
from social_ingest.context import Context
from social_ingest.ops import Normalized, OpsRecord
from social_ingest.providers.messenger.normalize import normalize as meta
from social_ingest.providers.telegram.normalize import normalize as telegram
from social_ingest.providers.twilio.normalize import normalize as sms
from social_ingest.providers.whatsapp.normalize import normalize as whatsapp
from social_ingest.providers.x.normalize import normalize as x
from tests.unit.social.helpers import FIXTURES, T0, named_cases

Run = Callable[[bytes, Context], Normalized]


def bundle(channel: str, name: str) -> bytes:
    return named_cases(FIXTURES / channel / "webhooks.json")[name]


def form(name: str) -> bytes:
    return (FIXTURES / "twilio" / f"{name}.form").read_bytes()


def tg(body: bytes, ctx: Context) -> Normalized:
    return telegram(body, ctx, bot_id="7012345678")


# (what, body, normalizer, the account key the configuration names)
CASES: list[tuple[str, Callable[[], bytes], Run, str]] = [
    ("messenger", lambda: bundle("messenger", "text"), meta, "messenger:106712345678901"),
    (
        "messenger ops",
        lambda: bundle("messenger", "feed_change"),
        meta,
        "messenger:106712345678901",
    ),
    ("instagram", lambda: bundle("instagram", "text"), meta, "instagram:17841400000000001"),
    ("telegram", lambda: bundle("telegram", "text"), tg, "telegram:7012345678"),
    ("telegram ops", lambda: bundle("telegram", "my_chat_member"), tg, "telegram:7012345678"),
    ("x", lambda: bundle("x", "text"), x, "x:4337869213"),
    ("sms", lambda: form("inbound_sms"), sms, "sms:+15005550006"),
    ("sms status", lambda: form("status_delivered"), sms, "sms:+15005550006"),
]


def records(out: Normalized) -> list[ev.Event | OpsRecord]:
    found: list[ev.Event | OpsRecord] = [*out.events, *out.ops]
    assert found
    return found


def ctx_for(accounts: dict[str, str]) -> Context:
    return Context(Tenancy(accounts, default="default"), T0, region="US")


def consistent(item: ev.Event | OpsRecord, tenant: str) -> None:
    assert item.tenant == tenant
    if isinstance(item, OpsRecord):
        return
    assert isinstance(item, ev.InboundEvent)
    assert item.event_id in {  # rebuilt from the same tenant, channel and provider id
        ev.event_id_for(tenant, item.channel.kind, item.provider_message_id, k)
        for k in ("message", "edited", "reaction", f"status.{_status(item)}")
    }
    assert item.conversation_key.startswith(f"{tenant}/{item.channel.kind}/")


def _status(item: ev.Event) -> str:
    return item.status if isinstance(item, ev.DeliveryStatus) else ""


@pytest.mark.parametrize(("what", "body", "run", "key"), CASES, ids=[c[0] for c in CASES])
def test_the_account_decides_the_tenant(
    what: str, body: Callable[[], bytes], run: Run, key: str
) -> None:
    for item in records(run(body(), ctx_for({key: "acme"}))):
        consistent(item, "acme")
    for item in records(run(body(), ctx_for({"whatsapp:other": "acme"}))):
        consistent(item, "default")  # an account the configuration does not name
    kind = key.split(":", 1)[0]
    for item in records(run(body(), ctx_for({f"{kind}:*": "globex"}))):
        consistent(item, "globex")  # the kind's wildcard


def test_one_whatsapp_body_two_numbers_two_tenants(corpora: Path) -> None:
    """The tenant is chosen per event: one webhook carrying two phone-number ids splits."""
    text = named_cases(corpora / "david-lev-pywa/tests/data/updates/message.json")["text"]
    other = text.replace(b'"1122334455667"', b'"9988776655"').replace(b"wamid.", b"wamid.o-")
    hook = json.loads(text)
    hook["entry"] += json.loads(other)["entry"]  # one webhook, two numbers of one business
    out = whatsapp(json.dumps(hook).encode(), ctx_for({"whatsapp:1122334455667": "acme"}))
    got = [(e.channel.account_id, e.tenant) for e in out.events]
    assert got == [("1122334455667", "acme"), ("9988776655", "default")]
    for e in out.events:
        consistent(e, e.tenant)
