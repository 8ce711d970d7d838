"""The channel accounts the voice service routes callbacks to (``hotline.accounts``).

Every voice account is of kind ``voice``; its ``source`` setting says which telephony source
it is (``twilio``, ``vonage``, ``cti``) and ``region`` the default region of its callers'
national numbers. The environment's own accounts are the registry's fallback, each built only
when ``settings.account_secret`` says its secret is configured:

* Twilio (``twilio_account_sid``, ``twilio_auth_token``, ``twilio_webhook_url``): under its
  account sid, or under ``*`` (any AccountSid signed with the token) when none is set;
* Vonage (``vonage_application_id``, ``vonage_signature_secret``, ``vonage_private_key``
  when set): only when the application id is set;
* CTI (``cti_account``, ``cti_signing_secret``): only when the account name is set.
"""

from __future__ import annotations

from hotline.accounts import Account, AccountRegistry
from hotline.accounts.registry import ANY
from voice.settings import VoiceSettings

KIND = "voice"


def registry_for(settings: VoiceSettings) -> AccountRegistry:
    """The service's one registry: the environment's accounts as its fallback."""
    return AccountRegistry(env_accounts(settings))


def env_accounts(settings: VoiceSettings) -> list[Account]:
    found = [_twilio(settings), _vonage(settings), _cti(settings)]
    return [account for account in found if account is not None]


def _account(
    settings: VoiceSettings, account_id: str, secrets: dict[str, str], **more: str
) -> Account:
    """``more``: the account's settings (``source``, ...); an empty secret is none."""
    return Account(
        KIND,
        account_id,
        settings.tenancy().tenant_for(KIND, account_id),
        {name: (value,) for name, value in secrets.items() if value},
        {**more, "region": settings.default_region},
    )


def _twilio(settings: VoiceSettings) -> Account | None:
    token = settings.account_secret_value("twilio_auth_token")
    if token is None:
        return None
    sid, url = settings.twilio_account_sid or ANY, settings.twilio_webhook_url
    return _account(settings, sid, {"auth_token": token}, source="twilio", webhook_url=url)


def _vonage(settings: VoiceSettings) -> Account | None:
    secret = settings.account_secret_value("vonage_signature_secret")
    if secret is None or not settings.vonage_application_id:
        return None
    key = settings.account_secret_value("vonage_private_key") or ""
    secrets = {"signature_secret": secret, "private_key": key}
    return _account(settings, settings.vonage_application_id, secrets, source="vonage")


def _cti(settings: VoiceSettings) -> Account | None:
    secret = settings.account_secret_value("cti_signing_secret")
    if secret is None or not settings.cti_account:
        return None
    return _account(settings, settings.cti_account, {"signing_secret": secret}, source="cti")


def source_of(account: Account) -> str:
    """The telephony source an account belongs to (Twilio when it names none)."""
    value = account.settings.get("source")
    return value if isinstance(value, str) and value else "twilio"


def region_of(account: Account, default: str | None) -> str | None:
    value = account.settings.get("region")
    return value if isinstance(value, str) and value else default
