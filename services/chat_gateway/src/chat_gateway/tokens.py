"""The newest value of one secret of each account, read from the registry at each call: what
outbound callers (replies, users.info, file copies) sign their Slack calls with, so a rotated
token is used from the next call on."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from hotline.accounts import AccountRegistry


class NewestSecret(Mapping[str, str]):
    """Account id -> the newest value of secret ``name`` of that ``kind``'s enabled account."""

    def __init__(self, registry: AccountRegistry, kind: str, name: str) -> None:
        self.registry, self.kind, self.name = registry, kind, name

    def __getitem__(self, account_id: str) -> str:
        account = self.registry.find(self.kind, account_id)
        value = account.secret(self.name) if account is not None else None
        if value is None:
            raise KeyError(account_id)
        return value

    def __iter__(self) -> Iterator[str]:
        accounts = self.registry.of_kind(self.kind)
        return iter([a.account_id for a in accounts if a.secret(self.name) is not None])

    def __len__(self) -> int:
        return sum(1 for _ in self)
