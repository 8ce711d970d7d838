"""Provider settings from the environment: one JSON object per provider, off by default,
several secrets at once, placeholders refused outside dev."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from email_ingest.settings import EmailSettings

PROD = {"HOTLINE_ENV": "prod", "HOTLINE_WEBHOOK_SECRETS": '["a-real-webhook-secret-0001"]'}


def test_every_provider_is_off_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in PROD.items():
        monkeypatch.setenv(name, value)
    assert not any(p.enabled for p in EmailSettings().providers().values())


def test_json_per_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in PROD.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HOTLINE_MAILGUN", '{"signing_keys": ["key-new-0002", "key-old-0001"]}')
    monkeypatch.setenv(
        "HOTLINE_SES", '{"topic_arns": ["arn:aws:sns:eu-west-1:1:t"], "max_age_s": 60}'
    )
    monkeypatch.setenv(
        "HOTLINE_POSTMARK", '{"basic_auth": ["pm:pw-0001"], "account_id": "in@b.test"}'
    )
    s = EmailSettings()
    assert [k.get_secret_value() for k in s.mailgun.signing_keys] == [
        "key-new-0002",
        "key-old-0001",
    ]
    assert s.ses.enabled and s.ses.max_age_s == 60 and s.postmark.account_id == "in@b.test"
    assert "key-new-0002" not in repr(s) and "pw-0001" not in repr(s)


@pytest.mark.parametrize("provider", ["mailgun", "sendgrid", "postmark", "mandrill", "cloudmailin"])
def test_placeholder_secrets_are_refused_outside_dev(
    monkeypatch: pytest.MonkeyPatch, provider: str
) -> None:
    for name, value in PROD.items():
        monkeypatch.setenv(name, value)
    field = {"mailgun": "signing_keys", "mandrill": "webhook_keys"}.get(provider, "basic_auth")
    monkeypatch.setenv(f"HOTLINE_{provider.upper()}", f'{{"{field}": ["dev-secret"]}}')
    with pytest.raises(ValidationError, match="placeholder"):
        EmailSettings()
