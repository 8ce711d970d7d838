"""The in-memory registry of channel accounts an edge routes by.

An inbound request names its account by what the provider sends (a WhatsApp phone number id,
a page id, a bot id in the path, a Slack team id, a recipient mailbox or domain, a widget site
key); ``route`` finds it or raises ``Unknown`` (the edge answers 404 and produces nothing). A
disabled account is unknown. Accounts from the service's own environment (the one-account
settings of a small deployment) are the fallback, registered under their id or under ``*``
for "any account of this kind"; accounts from the admin API, arriving on the feed, take
precedence and are replaced whole on every change.

Secret values live only in ``Account.secrets``; ``Account.__repr__`` shows their names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

ANY = "*"
Listener = Callable[["Account | None", "Account | None"], None]  # (before, after)


class Unknown(LookupError):
    """No enabled account of that kind and id: answer 404, produce nothing."""

    def __init__(self, kind: str, account_id: str) -> None:
        super().__init__(f"no {kind} account {account_id!r}")
        self.kind, self.account_id = kind, account_id


@dataclass(frozen=True, repr=False)
class Account:
    kind: str  # hotline.events.ChannelKind
    account_id: str  # the provider's own id, or ANY for an environment fallback
    tenant: str
    secrets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # newest first
    settings: Mapping[str, Any] = field(default_factory=dict)
    enabled: bool = True
    version: int = 0  # 0: from the environment; the unifier's row version otherwise

    def secret_values(self, name: str) -> tuple[str, ...]:
        """Every valid value of secret ``name`` (a signature may match any of them)."""
        return tuple(self.secrets.get(name, ()))

    def secret(self, name: str) -> str | None:
        """The newest value of ``name``: the one to sign or call the provider with."""
        values = self.secrets.get(name, ())
        return values[0] if values else None

    def __repr__(self) -> str:
        names = ",".join(sorted(self.secrets))
        return f"Account({self.kind}:{self.account_id} tenant={self.tenant} secrets=[{names}])"


Key = tuple[str, str]


class AccountRegistry:
    """Accounts by (kind, account id). Changes come from one task (the feed), lookups from
    request handlers on the same event loop: plain dicts, no locks."""

    def __init__(self, fallback: Iterable[Account] = ()) -> None:
        self._fallback: dict[Key, Account] = {(a.kind, a.account_id): a for a in fallback}
        self._managed: dict[Key, Account] = {}
        self._listeners: list[Listener] = []

    def find(self, kind: str, account_id: str) -> Account | None:
        """The enabled account: managed first, then the environment's, then its ``*``."""
        key = (kind, account_id)
        found = self._managed.get(key) or self._fallback.get(key)
        if found is None and key not in self._managed:
            found = self._fallback.get((kind, ANY))
        return found if found is not None and found.enabled else None

    def disabled(self, kind: str, account_id: str) -> bool:
        """A managed account that is switched off: nothing may go out on its behalf either
        (not even with the environment's credentials)."""
        found = self._managed.get((kind, account_id))
        return found is not None and not found.enabled

    def route(self, kind: str, account_id: str) -> Account:
        found = self.find(kind, account_id)
        if found is None:
            raise Unknown(kind, account_id)
        return found

    def of_kind(self, kind: str) -> list[Account]:
        """Every enabled account of ``kind`` with its own id (pollers, outbound senders)."""
        merged = {k: a for k, a in self._fallback.items() if k[1] != ANY} | self._managed
        return [a for (k, _), a in sorted(merged.items()) if k == kind and a.enabled]

    def put(self, account: Account) -> None:
        """Add or replace a managed account (a newer version only)."""
        key = (account.kind, account.account_id)
        before = self._managed.get(key)
        if before is not None and before.version >= account.version:
            return
        self._managed[key] = account
        self._told(before, account)

    def drop(self, kind: str, account_id: str) -> None:
        before = self._managed.pop((kind, account_id), None)
        if before is not None:
            self._told(before, None)

    def listen(self, listener: Listener) -> None:
        """``listener(before, after)`` on every managed change (after None: removed)."""
        self._listeners.append(listener)

    def _told(self, before: Account | None, after: Account | None) -> None:
        for listener in self._listeners:
            listener(before, after)

    def snapshot(self) -> Mapping[Key, Account]:
        return MappingProxyType({**self._fallback, **self._managed})
