"""An edge's request routed to the channel account it names: the enabled account of that kind
and id, or a 404 ``unknown_account`` answer (nothing produced)."""

from __future__ import annotations

from hotline.accounts.registry import Account, AccountRegistry, Unknown
from hotline.http.webhook import Rejected


def routed(registry: AccountRegistry, kind: str, account_id: str) -> Account:
    try:
        return registry.route(kind, account_id)
    except Unknown as exc:
        raise Rejected(404, "unknown_account", str(exc)) from exc
