"""The environment's Twilio account as the registry's fallback (``voice.accounts``)."""

from __future__ import annotations

from pydantic import SecretStr

from hotline.accounts.registry import ANY
from tests.unit.voice.helpers import ACCOUNT, TOKEN, settings_for
from voice.accounts import env_accounts, registry_for
from voice.settings import VoiceSettings


def test_the_environments_account_under_its_sid_with_url_and_region() -> None:
    [account] = env_accounts(settings_for("k:1", 8105, tenants={f"voice:{ACCOUNT}": "globex"}))
    assert (account.kind, account.account_id, account.tenant) == ("voice", ACCOUNT, "globex")
    assert account.secret_values("auth_token") == (TOKEN,)
    assert account.settings == {
        "source": "twilio",
        "webhook_url": "http://127.0.0.1:8105/webhooks/voice/twilio",
        "region": "DE",
    }
    assert TOKEN not in repr(account)


def test_without_a_sid_it_is_any_account() -> None:
    registry = registry_for(settings_for("k:1", 8105, twilio_account_sid=""))
    assert registry.route("voice", "AC-anything").account_id == ANY


def test_a_placeholder_token_outside_dev_is_no_account() -> None:
    prod = VoiceSettings(env="prod")  # the dev- default left unset
    assert env_accounts(prod) == []
    dev = VoiceSettings(env="dev")
    assert [a.account_id for a in env_accounts(dev)] == [ANY]
    real = VoiceSettings(env="prod", twilio_auth_token=SecretStr("s3cr3t-from-the-vault"))
    assert len(env_accounts(real)) == 1


def test_vonage_and_cti_accounts_only_with_their_ids() -> None:
    assert [a.settings["source"] for a in env_accounts(VoiceSettings(env="dev"))] == ["twilio"]
    dev = VoiceSettings(env="dev", vonage_application_id="app-1", cti_account="pbx-1")
    _, vonage, cti = env_accounts(dev)
    assert (vonage.account_id, vonage.settings["source"]) == ("app-1", "vonage")
    assert vonage.secret_values("signature_secret") == ("dev-vonage-signature-secret-32-bytes",)
    assert vonage.secret("private_key") is None  # none set: recordings are not copied
    assert (cti.account_id, cti.settings["source"]) == ("pbx-1", "cti")
    assert cti.secret_values("signing_secret") == ("dev-cti-signing-secret",)


def test_vonage_and_cti_placeholders_outside_dev_are_no_accounts() -> None:
    prod = VoiceSettings(env="prod", vonage_application_id="app-1", cti_account="pbx-1")
    assert env_accounts(prod) == []
    real = VoiceSettings(
        env="prod",
        vonage_application_id="app-1",
        vonage_signature_secret=SecretStr("vonage-from-the-vault"),
        vonage_private_key=SecretStr("-----BEGIN PRIVATE KEY-----..."),
        cti_account="pbx-1",
        cti_signing_secret=SecretStr("cti-from-the-vault"),
    )
    vonage, cti = env_accounts(real)
    assert vonage.secret("private_key") == "-----BEGIN PRIVATE KEY-----..."
    assert cti.tenant == real.tenancy().tenant_for("voice", "pbx-1")
