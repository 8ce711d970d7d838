"""The channel accounts the voice service routes callbacks to (``hotline.accounts``).

Every voice account is of kind ``voice``; its ``source`` setting says which telephony source
it is (``twilio``, ``vonage``, ``cti``) and ``region`` the default region of its callers'
national numbers. The environment's own Twilio account (``twilio_account_sid``,
``twilio_auth_token``, ``twilio_webhook_url``, ``default_region``) is the registry's
fallback, built only when ``settings.account_secret`` says the token is configured: under
its account sid, or under ``*`` (any AccountSid signed with the token) when none is set.
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
    token = settings.account_secret("twilio_auth_token")
    if token is None:
        return []
    account_id = settings.twilio_account_sid or ANY
    return [
        Account(
            KIND,
            account_id,
            settings.tenancy().tenant_for(KIND, account_id),
            {"auth_token": (token.get_secret_value(),)},
            {
                "source": "twilio",
                "webhook_url": settings.twilio_webhook_url,
                "region": settings.default_region,
            },
        )
    ]


def source_of(account: Account) -> str:
    """The telephony source an account belongs to (Twilio when it names none)."""
    value = account.settings.get("source")
    return value if isinstance(value, str) and value else "twilio"


def region_of(account: Account, default: str | None) -> str | None:
    value = account.settings.get("region")
    return value if isinstance(value, str) and value else default
