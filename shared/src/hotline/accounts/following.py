"""Which registry an edge's app keeps current from the account feed (``AccountFeed``, started
in the background by ``hotline.http.app``: the edge comes up, not ready, while the broker is
away, and catches up as soon as it is back; until then only the environment's accounts route)."""

from __future__ import annotations

from hotline.accounts.registry import AccountRegistry


def followed(registry: AccountRegistry, publisher: object | None) -> AccountRegistry | None:
    """The registry the app keeps current from the feed: none when the app was given its own
    publisher (tests without a broker fill the registry themselves)."""
    return registry if publisher is None else None
