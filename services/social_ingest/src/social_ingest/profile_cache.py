"""The profile cache: bounded, a TTL per entry, failures cached for a shorter TTL.

Read synchronously on the ack path (a dict lookup and a clock reading), written by the
enrichment workers.
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.expiring import ExpiringCache

Key = tuple[str, str, str]  # (channel kind, account / page id, user id)


@dataclass(frozen=True)
class Profile:
    display_name: str | None = None
    avatar_url: str | None = None


NOTHING = Profile()  # a cached failure: nothing to fill, nothing to look up until it expires


class ProfileCache(ExpiringCache[Key, Profile]):
    """Bounded (oldest written goes first) with a TTL per entry; failures get the shorter one."""

    def get(self, key: Key) -> Profile | None:
        """The cached profile, ``NOTHING`` for a cached failure, None when unknown or expired."""
        known, profile = self.entry(key)
        if not known:
            return None
        return profile or NOTHING
