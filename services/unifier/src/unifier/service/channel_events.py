"""Every channel-account change as a ``channel.account.changed.v1`` in the outbox, in the
change's own transaction: the relay publishes it to the compacted ``hotline.channel-accounts.v1``
topic, which the edges' account feeds follow. The account's whole state goes out each time
(secret values still sealed, as stored), so the latest record per key is all an edge needs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import unified as un
from unifier.store.write import write_outbox

NAME = "channel.account.changed"


def changed(row: dict[str, Any], *, removed: bool = False) -> un.ChannelAccountChanged:
    """The event for ``row`` (a ``channel_rows`` row) as it is now, or as it was just deleted
    (``removed``: the version moves once more, so the removal is the newest state)."""
    version = row["version"] + 1 if removed else row["version"]
    at = datetime.now(UTC) if removed else datetime.fromisoformat(row["updated_at"])
    tenant, kind, account_id = row["tenant"], row["kind"], row["account_id"]
    return un.ChannelAccountChanged(
        event_id=un.unified_event_id(tenant, NAME, kind, account_id, str(version), at.isoformat()),
        tenant=tenant,
        occurred_at=at,
        kind=kind,
        account_id=account_id,
        name=row["name"],
        settings=row["settings"],
        secrets={name: [v["value"] for v in vals] for name, vals in row["secrets"].items()},
        enabled=row["enabled"],
        version=version,
        removed=removed,
    )


async def announce(conn: AsyncConnection, row: dict[str, Any], *, removed: bool = False) -> None:
    await write_outbox(conn, [changed(row, removed=removed)])
