"""``hotline normalize <provider> FILE`` on raw HTTP request captures: --secret checks the
signature, --unverified skips it and says so, neither is refused; bare bodies still work."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hotline.capture import parse_capture
from hotline.channels import registered
from hotline.cli import app
from tests.unit.email_providers.helpers import FIXTURES

runner = CliRunner()
SES_CERT = str(FIXTURES / "ses" / "signing-cert.pem")
CASES = {
    "mailgun": ("parsed", "mailgun-signing-key-for-hotline-0001", 1),
    "sendgrid": ("parsed", "sendgrid:sg-parse-password-for-hotline-0001", 1),
    "postmark": ("parsed", "postmark:pm-inbound-password-for-hotline-0001", 1),
    "mandrill": ("batch", "mandrill-webhook-key-for-hotline-01", 3),
    "cloudmailin": ("json", "cloudmailin:cm-password-for-hotline-0001", 1),
    "ses": ("notification_utf8", SES_CERT, 1),
}
WRONG = {"ses": str(FIXTURES / "ses" / "other-cert.pem")}


def run(*args: str) -> list[dict[str, Any]]:
    result = runner.invoke(app, ["normalize", *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def path(provider: str, name: str) -> str:
    return str(FIXTURES / provider / f"{name}.http")


def test_every_provider_is_a_registered_webhook_channel() -> None:
    plugins = registered()
    assert all(plugins[p].request is not None for p in CASES)


@pytest.mark.parametrize("provider", CASES)
def test_secret_checks_the_signature(provider: str) -> None:
    name, secret, count = CASES[provider]
    [line] = run(provider, path(provider, name), "--secret", secret)
    assert line["verified"] is True and "warning" not in line
    assert len(line["events"]) == count
    assert all(e["type"] == "message.received.v1" for e in line["events"])


@pytest.mark.parametrize("provider", CASES)
def test_a_wrong_secret_is_an_error_line(provider: str) -> None:
    name, _, _ = CASES[provider]
    [line] = run(provider, path(provider, name), "--secret", WRONG.get(provider, "wrong:secret"))
    assert line["error"]["reason"] in {"bad_signature", "bad_credentials"}
    assert "events" not in line


@pytest.mark.parametrize("provider", CASES)
def test_unverified_is_clearly_marked(provider: str) -> None:
    name, _, count = CASES[provider]
    [line] = run(provider, path(provider, name), "--unverified")
    assert line["verified"] is False and line["warning"].startswith("UNVERIFIED")
    assert len(line["events"]) == count


def test_a_capture_needs_secret_or_unverified() -> None:
    [line] = run("postmark", path("postmark", "parsed"))
    assert line["error"]["reason"] == "secret_required"
    result = runner.invoke(
        app,
        ["normalize", "postmark", path("postmark", "parsed"), "--secret", "a:b", "--unverified"],
    )
    assert result.exit_code == 2


def test_the_same_events_as_the_signed_run() -> None:
    name, secret, _ = CASES["mandrill"]
    [signed] = run("mandrill", path("mandrill", name), "--secret", secret)
    [unsigned] = run("mandrill", path("mandrill", name), "--unverified")
    ids = [[e["event_id"] for e in line["events"]] for line in (signed, unsigned)]
    assert ids[0] == ids[1]


@pytest.mark.parametrize(
    ("provider", "name"), [("postmark", "parsed"), ("sendgrid", "raw"), ("mailgun", "raw_mime")]
)
def test_a_bare_body_runs_unverified(provider: str, name: str, tmp_path: Path) -> None:
    body = tmp_path / "body"
    body.write_bytes(parse_capture(Path(path(provider, name)).read_bytes()).body)
    [line] = run(provider, str(body))
    assert len(line["events"]) == 1 and "verified" not in line


def test_a_channel_without_request_support_refuses_captures() -> None:
    [line] = run("email", path("postmark", "parsed"), "--unverified")
    assert line["error"]["reason"] == "not_a_webhook_channel"
