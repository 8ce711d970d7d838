"""The start-up check of the channel secrets key (HOTLINE_CHANNEL_SECRETS_KEY).

Without a key (outside dev) the unifier does not start while any channel account exists: it
could neither open their secrets nor publish them. With a key, values sealed by an older key
(listed after the newest) are sealed again with the newest, each such account's version moves
and the change goes to the outbox, so the old key can be dropped once the edges have it too.
A value no listed key opens stops the start (``SealError``): the key list is wrong.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.accounts.sealing import KEY_VARIABLE, Sealer
from unifier.service import channel_accounts as accounts
from unifier.store import channel_rows


class NoSecretsKey(Exception):
    """Channel accounts exist but there is no key to open their secrets."""


def resealed(row: dict[str, Any], sealer: Sealer) -> dict[str, Any] | None:
    """``row``'s secrets with every value sealed by the newest key; None when they are."""
    stale = any(not sealer.is_current(v["value"]) for vs in row["secrets"].values() for v in vs)
    if not stale:
        return None
    return {
        name: [v | {"value": sealer.reseal(v["value"])} for v in vals]
        for name, vals in row["secrets"].items()
    }


async def check(conn: AsyncConnection, sealer: Sealer | None) -> int:
    """Refuse a missing key (``NoSecretsKey``), re-seal stale values; how many accounts were
    re-sealed."""
    rows = await channel_rows.every(conn)
    if sealer is None:
        if rows:
            raise NoSecretsKey(
                f"{len(rows)} channel account(s) exist but {KEY_VARIABLE} is not set: set it to "
                "the key(s) their secrets were sealed with"
            )
        return 0
    done = 0
    for row in rows:
        if (secrets := resealed(row, sealer)) is not None:
            await accounts.set_secrets(conn, row, secrets)
            done += 1
    return done
