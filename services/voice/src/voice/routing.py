"""Which voice account a callback belongs to, whether it signed it, and the context its
events are built in.

The account id the request names (Twilio's ``AccountSid``, Vonage's ``application_id``, the
CTI path's account name) is routed through the registry: none enabled, or one of another
telephony source -> 404, nothing produced. The signature must verify under a value of the
account's secret (any value: rotation) or the answer is 401.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import UTC, datetime
from typing import TypeVar

from hotline.accounts import Account, AccountRegistry, routing
from hotline.accounts.registry import ANY
from hotline.http import Rejected
from hotline.tenancy import Tenancy
from voice.accounts import KIND, region_of, source_of
from voice.calls import CallContext

T = TypeVar("T")


def routed(registry: AccountRegistry, source: str, account_id: str) -> Account:
    account = routing.routed(registry, KIND, account_id)
    if source_of(account) != source:
        raise Rejected(404, "unknown_account", f"no {source} voice account {account_id!r}")
    return account


def signed(account: Account, secret: str, check: Callable[[str], bool]) -> None:
    """401 unless ``check`` accepts one of the account's values of ``secret``."""
    verified(account, secret, lambda value: True if check(value) else None)


def verified(account: Account, secret: str, check: Callable[[str], T | None]) -> T:
    """What ``check`` reads under the first value of ``secret`` that verifies (a token's
    claims); 401 when none does."""
    for value in account.secret_values(secret):
        found = check(value)
        if found is not None:
            return found
    raise Rejected(401, "bad_signature")


def context(
    account: Account,
    account_id: str,
    tenancy: Tenancy,
    region: str | None,
    flags: Collection[str] = (),
) -> CallContext:
    """``account_id``: the id the request named (an environment ``*`` account's events carry
    it, not ``*``, and the tenancy's tenant for it); ``region``: the service's default when
    the account names none; ``flags``: the callback URL's markers."""
    tenant = account.tenant if account.account_id != ANY else tenancy.tenant_for(KIND, account_id)
    return CallContext(
        tenant=tenant,
        account_id=account_id,
        received_at=datetime.now(UTC),
        region=region_of(account, region),
        flags=frozenset(flags),
    )
