"""Which channel accounts a webhook belongs to, and whether they signed it.

Every edge: the account ids the request names (from its path, form or body) -> each routed
through the registry (none enabled: 404, nothing produced) -> the signature must verify under
a value of each one's secret (any value: rotation) or the answer is 401. A request that names
no account (a body too broken to name one, a WhatsApp business-account update) must verify
under a secret of some account of its kind; what it carries then gets the tenancy's tenant.
The routed accounts' tenants are pinned for the normalizer (``Context.pinned``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from hotline.accounts import Account, AccountRegistry
from hotline.accounts.registry import ANY
from hotline.accounts.routing import routed
from hotline.http import Rejected
from social_ingest.accounts import every_account

Check = Callable[[str], bool]  # does the request's signature verify under this secret value?
Pins = dict[tuple[str, str], str]  # (kind, account id) -> tenant


def verified(
    registry: AccountRegistry,
    kind: str,
    ids: Iterable[str],
    secret: str,
    check: Check,
    reason: str = "bad_signature",
) -> list[Account]:
    """The accounts ``ids`` name (404 for an unknown one), each of which signed the request
    (else 401 ``reason``); no ids: some account of ``kind`` must have signed it. One check
    per distinct secret value at most (accounts of one Meta app share theirs); a forged
    signature costs one check per value of the first account, or of the kind when unnamed."""
    accounts = list({a.account_id: a for a in (routed(registry, kind, i) for i in ids)}.values())
    tried: dict[str, bool] = {}
    if accounts:
        ok = all(signed(a.secret_values(secret), check, tried) for a in accounts)
    else:
        values = {v for a in every_account(registry, kind) for v in a.secret_values(secret)}
        ok = signed(values, check, tried)
    if not ok:
        raise Rejected(401, reason)
    return accounts


def signed(values: Iterable[str], check: Check, tried: dict[str, bool]) -> bool:
    """Any of ``values`` verifies; ``tried`` remembers each value's answer across accounts
    (a plain dict: ``functools.cache`` per request cost more than the check it saved)."""
    for value in values:
        if value not in tried:
            tried[value] = check(value)
        if tried[value]:
            return True
    return False


def pins(accounts: Sequence[Account], ids: Sequence[str] = ()) -> Pins:
    """The tenant of each routed account with its own id (an environment ``*`` account
    leaves each id to the tenancy, as before), keyed by the id its events carry: the routed
    one, or ``ids`` when they carry another (SMS: ``*``, every number of the request)."""
    own = [a for a in accounts if a.account_id != ANY]
    return {(a.kind, i): a.tenant for a in own for i in (ids or [a.account_id])}
