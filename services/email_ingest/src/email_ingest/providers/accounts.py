"""Inbound mail providers' channel accounts (kind ``email``, ``settings.source`` = the provider).

A mail routes by its recipient: the account of that exact address first, then the account of
its domain, each only if it takes mail from this provider; then the provider's catch-all
from the environment (``*<provider>``: today's one-account settings, every recipient, filed
under ``settings.channel_account``). No account: ``Unknown`` (404, nothing produced).

Secrets: ``signing_key`` (Mailgun), ``webhook_key`` (Mandrill), ``basic_password`` with
``settings.basic_user`` (SendGrid, Postmark, CloudMailin), none for SES (SNS certificate).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from email.utils import parseaddr

from email_ingest.normalize import MailboxConfig
from email_ingest.providers.settings import (
    BasicAuthSettings,
    MailgunSettings,
    MandrillSettings,
    ProviderSettings,
)
from hotline.accounts.registry import ANY, Account, AccountRegistry, Unknown
from hotline.tenancy import Tenancy

log = logging.getLogger(__name__)
KIND = "email"
BASIC_AUTH = frozenset({"sendgrid", "postmark", "cloudmailin"})
SECRET_OF = {"mailgun": "signing_key", "mandrill": "webhook_key"} | dict.fromkeys(
    BASIC_AUTH, "basic_password"
)


def catch_all(provider: str) -> str:
    return f"{ANY}{provider}"


def route(registry: AccountRegistry, provider: str, rcpts: tuple[str, ...]) -> Account:
    """The account of the first recipient that has one, else the provider's catch-all."""
    for rcpt in rcpts:
        address = parseaddr(rcpt)[1].strip().lower().rstrip(".")
        for candidate in (address, address.rpartition("@")[2]):
            found = _takes(registry, provider, candidate)
            if found is not None:
                return found
    found = _takes(registry, provider, catch_all(provider))
    if found is None:
        raise Unknown(KIND, ", ".join(rcpts) or "(no recipient)")
    return found


def _takes(registry: AccountRegistry, provider: str, account_id: str) -> Account | None:
    found = registry.find(KIND, account_id) if account_id else None
    if found is None or found.account_id != account_id:  # not the kind's "*" fallback
        return None
    return found if found.settings.get("source") == provider else None


def credentials(account: Account, provider: str) -> list[bytes]:
    """What the provider's verify accepts for this account: every value of its secret (the
    ``user:password`` pairs for Basic auth)."""
    values = account.secret_values(SECRET_OF.get(provider, ""))
    if provider in BASIC_AUTH:
        user = str(account.settings.get("basic_user") or "")
        return [f"{user}:{v}".encode() for v in values]
    return [v.encode() for v in values]


def config_for(base: MailboxConfig, account: Account) -> MailboxConfig:
    """The mailbox config of the account's mail: its tenant, filed under its channel account."""
    filed = str(account.settings.get("channel_account") or account.account_id)
    return replace(base, tenant=account.tenant, account_id=filed)


def env_accounts(
    providers: dict[str, ProviderSettings], default_account: str, tenancy: Tenancy
) -> list[Account]:
    """Each configured provider of the environment as its catch-all account."""
    return [
        env_account(name, p, p.account_id or default_account, tenancy)
        for name, p in providers.items()
        if p.enabled
    ]


def env_account(name: str, p: ProviderSettings, filed: str, tenancy: Tenancy) -> Account:
    settings: dict[str, object] = {"source": name, "channel_account": filed}
    secrets: dict[str, tuple[str, ...]] = {}
    if isinstance(p, BasicAuthSettings):
        user, passwords = _basic(name, p)
        settings["basic_user"], secrets["basic_password"] = user, passwords
    elif isinstance(p, MailgunSettings):
        secrets["signing_key"] = tuple(k.get_secret_value() for k in p.signing_keys)
    elif isinstance(p, MandrillSettings):
        secrets["webhook_key"] = tuple(k.get_secret_value() for k in p.webhook_keys)
    tenant = tenancy.tenant_for(KIND, filed)
    return Account(KIND, catch_all(name), tenant, secrets, settings)


def _basic(name: str, p: BasicAuthSettings) -> tuple[str, tuple[str, ...]]:
    """The first pair's user and every password given for that user (an account has one
    user; pairs naming another user are left out, loudly)."""
    pairs = [c.get_secret_value().partition(":") for c in p.basic_auth]
    user = pairs[0][0]
    if any(u != user for u, _, _ in pairs):
        log.warning("%s: basic_auth pairs for users other than %r are ignored", name, user)
    return user, tuple(pw for u, _, pw in pairs if u == user)
