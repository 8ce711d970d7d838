"""Which voice account a callback belongs to, and whether it signed it.

The account id the request names (Twilio's ``AccountSid``) is routed through the registry:
none enabled, or one of another telephony source -> 404, nothing produced. The signature must
verify under a value of the account's secret (any value: rotation) or the answer is 401.
"""

from __future__ import annotations

from collections.abc import Callable

from hotline.accounts import Account, AccountRegistry, Unknown
from hotline.http import Rejected
from voice.accounts import KIND, source_of


def routed(registry: AccountRegistry, source: str, account_id: str) -> Account:
    try:
        account = registry.route(KIND, account_id)
    except Unknown as exc:
        raise Rejected(404, "unknown_account", str(exc)) from exc
    if source_of(account) != source:
        raise Rejected(404, "unknown_account", f"no {source} voice account {account_id!r}")
    return account


def signed(account: Account, secret: str, check: Callable[[str], bool]) -> None:
    """401 unless ``check`` accepts one of the account's values of ``secret``."""
    if not any(check(value) for value in account.secret_values(secret)):
        raise Rejected(401, "bad_signature")
