"""The channel accounts social_ingest routes webhooks to and replies from (``hotline.accounts``).

The environment's own accounts (today's one-account settings) are the registry's fallback, one
per kind, each built only from secrets ``settings.account_secret`` says are configured (none:
no environment account of that kind). Meta, Twilio and X accounts fall back under ``*`` (any
page, number, Twilio account or X user signed with the environment's secret, as before);
Telegram under the configured bot id, which the legacy path ``/webhooks/telegram`` names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hotline.accounts import Account, AccountRegistry
from hotline.accounts.registry import ANY
from social_ingest.settings import SocialSettings

META = {"app_secret": "meta_app_secret", "verify_token": "meta_verify_token"}
# kind -> (the secret that verifies inbound requests, {account secret name: settings field})
ENV_SECRETS: dict[str, tuple[str, dict[str, str]]] = {
    "whatsapp": ("app_secret", {**META, "access_token": "whatsapp_token"}),
    "messenger": ("app_secret", {**META, "page_token": "meta_page_token"}),
    "instagram": ("app_secret", {**META, "page_token": "meta_page_token"}),
    "telegram": (
        "secret_token",
        {"secret_token": "telegram_secret_token", "bot_token": "telegram_bot_token"},
    ),
    "sms": ("auth_token", {"auth_token": "twilio_auth_token"}),
    "x": (
        "consumer_secret",
        {"consumer_secret": "x_consumer_secret", "bearer_token": "x_bearer_token"},
    ),
}


def registry_for(settings: SocialSettings) -> AccountRegistry:
    """The service's one registry: the environment's accounts as its fallback."""
    return AccountRegistry(env_accounts(settings))


def env_accounts(settings: SocialSettings) -> list[Account]:
    accounts = []
    for kind, (inbound, fields) in ENV_SECRETS.items():
        secrets = _configured(settings, fields)
        if inbound in secrets:
            account_id = settings.telegram_bot_id if kind == "telegram" else ANY
            tenant = settings.tenancy().tenant_for(kind, account_id)
            accounts.append(Account(kind, account_id, tenant, secrets, _settings(settings, kind)))
    return accounts


def _configured(settings: SocialSettings, fields: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    values = {name: settings.account_secret_value(field) for name, field in fields.items()}
    return {name: (v,) for name, v in values.items() if v is not None}


def _settings(settings: SocialSettings, kind: str) -> dict[str, Any]:
    if kind != "sms":
        return {}
    return {"webhook_url": settings.twilio_webhook_url, "status_url": settings.twilio_status_url}


def every_account(registry: AccountRegistry, kind: str) -> list[Account]:
    """Every enabled account of ``kind``, the environment's ``*`` included (requests that name
    no account: Meta's GET handshake, X's CRC, a body too broken to name one)."""
    return [a for (k, _), a in registry.snapshot().items() if k == kind and a.enabled]


def reply_account(registry: AccountRegistry, kind: str, account_id: str) -> Account | None:
    """The account a reply goes out from: its channel's account id; for SMS (whose events name
    our phone number, while accounts are Twilio AccountSids) the account listing that number
    in its ``numbers`` setting, else the environment's."""
    if kind == "sms":
        for account in registry.of_kind("sms"):
            if account_id in account.settings.get("numbers", ()):
                return account
    return registry.find(kind, account_id)
