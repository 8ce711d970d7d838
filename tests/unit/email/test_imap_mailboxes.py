"""Mailbox configuration (``HOTLINE_IMAP_MAILBOXES`` and the single ``imap_*`` mailbox), the
checkpoint's owner check and the access-token cache (no network)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from email_ingest.imap_checkpoint import Checkpoint, CheckpointConflict, CheckpointFile
from email_ingest.imap_fleet import imap_config
from email_ingest.imap_mailbox import OAuthSettings
from email_ingest.imap_oauth import TokenSource
from email_ingest.settings import EmailSettings

GMAIL = {
    "name": "gmail-support",
    "host": "imap.gmail.com",
    "username": "support@example.com",
    "account_id": "support@example.com",
    "oauth": {
        "token_url": "https://oauth2.googleapis.com/token",
        "client_id": "123.apps.googleusercontent.com",
        "client_secret": "gmail-client-secret",
        "refresh_token": "gmail-refresh-token",
    },
}
M365 = {
    "name": "m365-billing",
    "host": "outlook.office365.com",
    "username": "billing@contoso.com",
    "oauth": {
        "token_url": "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
        "client_id": "00000000-0000-0000-0000-000000000000",
        "refresh_token": "m365-refresh-token",
        "scope": "https://outlook.office.com/IMAP.AccessAsUser.All offline_access",
    },
}


def settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> EmailSettings:
    base = {"HOTLINE_ENV": "test", "HOTLINE_WEBHOOK_SECRETS": '["unit-test-webhook-secret-0123"]'}
    for key, value in {**base, **env}.items():
        monkeypatch.setenv(key, value)
    return EmailSettings()


def test_mailboxes_from_json_with_secure_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    s = settings(monkeypatch, HOTLINE_IMAP_MAILBOXES=json.dumps([GMAIL, M365]))
    gmail, m365 = s.mailboxes()
    assert (gmail.security, gmail.tcp_port, gmail.ca_file) == ("imaps", 993, None)
    assert isinstance(gmail.oauth, OAuthSettings) and gmail.password is None
    assert gmail.oauth.refresh_token.get_secret_value() == "gmail-refresh-token"
    assert "gmail-refresh-token" not in repr(s) and "gmail-client-secret" not in repr(s)
    assert m365.channel_account == "billing@contoso.com"  # account_id defaults to the login
    assert m365.checkpoint_path(Path("var/imap")) == Path("var/imap/m365-billing.json")


def test_the_single_imap_mailbox_is_one_entry_beside_the_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = settings(
        monkeypatch,
        HOTLINE_IMAP_HOST="mail.example.test",
        HOTLINE_IMAP_USER="help",
        HOTLINE_IMAP_PASSWORD="pw",
        HOTLINE_IMAP_SECURITY="starttls",
        HOTLINE_IMAP_CA_FILE="/etc/private-ca.pem",
        HOTLINE_ACCOUNT_ID="help@example.test",
        HOTLINE_IMAP_CHECKPOINT="/data/imap.json",
        HOTLINE_IMAP_MAILBOXES=json.dumps([GMAIL]),
    )
    single, gmail = s.mailboxes()
    assert (single.host, single.security, single.tcp_port) == ("mail.example.test", "starttls", 143)
    assert single.channel_account == "help@example.test"
    assert single.checkpoint_path(s.imap_checkpoint_dir) == Path("/data/imap.json")
    config = imap_config(single, "k:9092", s.imap_checkpoint_dir)
    assert (config.security, config.ca_file, config.tokens) == (
        "starttls",
        Path("/etc/private-ca.pem"),
        None,
    )
    assert "pw" not in repr(config)
    assert imap_config(gmail, "k:9092", s.imap_checkpoint_dir).tokens is not None


def test_no_mailbox_unless_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    assert settings(monkeypatch).mailboxes() == []


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"password": "pw"}, "exactly one of password or oauth"),  # both
        ({"oauth": None}, "exactly one of password or oauth"),  # neither
        ({"security": "tls"}, "security"),
        ({"post_action": "delete"}, "post_action"),
        ({"oauth": {**GMAIL["oauth"], "token_url": "file:///etc/passwd"}}, "token_url"),  # type: ignore[dict-item]
    ],
)
def test_a_bad_mailbox_is_refused_at_start(
    monkeypatch: pytest.MonkeyPatch, change: dict[str, object], said: str
) -> None:
    with pytest.raises(ValidationError, match=said):
        settings(monkeypatch, HOTLINE_IMAP_MAILBOXES=json.dumps([{**GMAIL, **change}]))


@pytest.mark.parametrize(
    ("second", "said"),
    [
        ({**M365, "name": "gmail-support"}, "same name"),
        ({**GMAIL, "name": "other"}, "same username@host/folder"),
        ({**M365, "checkpoint": "var/imap/gmail-support.json"}, "same checkpoint"),
    ],
)
def test_two_mailboxes_never_share_a_name_a_login_or_a_checkpoint(
    monkeypatch: pytest.MonkeyPatch, second: dict[str, object], said: str
) -> None:
    with pytest.raises(ValidationError, match=said):
        settings(monkeypatch, HOTLINE_IMAP_MAILBOXES=json.dumps([GMAIL, second]))


def test_a_checkpoint_written_for_another_mailbox_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cp.json"
    CheckpointFile(path, owner="a@imap.test/INBOX").save(Checkpoint(7, 42))
    assert CheckpointFile(path, owner="a@imap.test/INBOX").load() == Checkpoint(7, 42)
    with pytest.raises(CheckpointConflict, match=r"belongs to mailbox 'a@imap\.test/INBOX'"):
        CheckpointFile(path, owner="b@imap.test/INBOX").load()


def test_a_checkpoint_without_an_owner_is_adopted(tmp_path: Path) -> None:
    path = tmp_path / "cp.json"
    path.write_text('{"uidvalidity": 7, "last_uid": 42, "pending": null}')
    store = CheckpointFile(path, owner="a@imap.test/INBOX")
    assert store.load() == Checkpoint(7, 42)
    store.save(Checkpoint(7, 43))
    assert json.loads(path.read_text())["owner"] == "a@imap.test/INBOX"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def source(answers: list[dict[str, object]], clock: Clock, margin: float = 300) -> TokenSource:
    oauth = OAuthSettings(
        token_url="https://token.test/token",
        client_id="c",
        refresh_token=SecretStr("rt-1"),
        refresh_margin_s=margin,
    )
    tokens = TokenSource(oauth, "box", clock)
    tokens.sent = []  # type: ignore[attr-defined]

    def post(form: dict[str, str]) -> dict[str, object]:
        tokens.sent.append(form)  # type: ignore[attr-defined]
        return answers.pop(0)

    tokens._post = post  # type: ignore[method-assign]
    return tokens


async def test_the_token_is_cached_until_the_margin_before_expiry() -> None:
    clock = Clock()
    answers: list[dict[str, object]] = [
        {"access_token": "at-1", "expires_in": 3600},
        {"access_token": "at-2", "expires_in": 3600, "refresh_token": "rt-2"},
        {"access_token": "at-3", "expires_in": 3600},
    ]
    tokens = source(answers, clock)
    assert await tokens.token() == "at-1"
    clock.now += 3600 - 301
    assert await tokens.token() == "at-1"
    clock.now += 2  # inside the 300 s margin
    assert await tokens.token() == "at-2"
    tokens.invalidate()  # the server refused it
    assert await tokens.token() == "at-3"
    sent = tokens.sent  # type: ignore[attr-defined]
    assert [f["refresh_token"] for f in sent] == ["rt-1", "rt-1", "rt-2"]  # rotation followed
    assert all("client_secret" not in f and "scope" not in f for f in sent)


async def test_a_short_lived_token_is_still_used() -> None:
    clock = Clock()
    tokens = source([{"access_token": "at-1", "expires_in": 60}], clock)
    assert await tokens.token() == "at-1"
    clock.now += 29
    assert await tokens.token() == "at-1"  # margin capped at half the lifetime


def test_the_single_mailbox_may_use_xoauth2(monkeypatch: pytest.MonkeyPatch) -> None:
    s = settings(
        monkeypatch,
        HOTLINE_IMAP_HOST="imap.gmail.com",
        HOTLINE_IMAP_USER="support@example.com",
        HOTLINE_IMAP_OAUTH=json.dumps(GMAIL["oauth"]),
    )
    (single,) = s.mailboxes()
    assert single.password is None and single.oauth is not None
    assert (single.security, single.tcp_port) == ("imaps", 993)


def test_the_single_mailbox_needs_a_password_or_oauth(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError, match="exactly one of password or oauth"):
        settings(monkeypatch, HOTLINE_IMAP_HOST="mail.example.test", HOTLINE_IMAP_USER="u")
