"""A Slack sender's profile, as users.info describes it (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Profile:
    real_name: str | None = None
    display_name: str | None = None
    email: str | None = None  # lower-cased
    avatar_url: str | None = None

    @property
    def name(self) -> str | None:
        return self.real_name or self.display_name


def profile_of(user: Mapping[str, Any]) -> Profile:
    """users.info's ``user`` object -> Profile (pure; empty strings are absent)."""
    p: Mapping[str, Any] = user.get("profile") or {}

    def text(value: object) -> str | None:
        return value.strip() or None if isinstance(value, str) else None

    email = text(p.get("email"))
    return Profile(
        real_name=text(p.get("real_name")) or text(user.get("real_name")),
        display_name=text(p.get("display_name")),
        email=email.lower() if email else None,
        avatar_url=text(p.get("image_72")),
    )
