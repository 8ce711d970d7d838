"""Routing by skills, capacity and working hours: what a conversation needs, which agents
cover it, which team's queue takes it, and in which order waiting conversations are offered.
Pure and deterministic (``unifier.domain.assignment`` picks the agent with these).

A conversation needs its channel kind, its language and its category (ISO 639-1 language and
category as triage set them; an unknown one needs nothing). An agent's skills are three sets;
an empty set covers any value (an agent nobody configured takes anything), a named value is an
explicit match and ranks the agent before one that covers it only by leaving the set empty.
A team may require skills: it takes only the conversations of its inboxes that match them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

SKILL_KINDS = ("languages", "categories", "channels")


@dataclass(frozen=True)
class Needs:
    channel: str
    language: str | None = None
    category: str | None = None

    def __str__(self) -> str:
        parts = [self.channel, self.language or "any language", self.category or "any category"]
        return ", ".join(parts)


@dataclass(frozen=True)
class Skills:
    """What an agent covers (or a team requires); an empty set: any."""

    languages: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()

    def _pairs(self, needs: Needs) -> list[tuple[frozenset[str], str | None]]:
        return [
            (self.channels, needs.channel),
            (self.languages, needs.language),
            (self.categories, needs.category),
        ]

    def covers(self, needs: Needs) -> bool:
        return all(not have or not want or want in have for have, want in self._pairs(needs))

    def matched(self, needs: Needs) -> int:
        """How many of the needs this names explicitly (a better fit than "any")."""
        return sum(1 for have, want in self._pairs(needs) if want and want in have)

    def requires(self, needs: Needs) -> bool:
        """As a team's requirement: every set it names holds the conversation's value (an
        unknown language or category does not satisfy a team that requires one)."""
        return all(not need or want in need for need, want in self._pairs(needs))

    @property
    def empty(self) -> bool:
        return not (self.languages or self.categories or self.channels)


ANY = Skills()


def skills_of(
    languages: Iterable[str], categories: Iterable[str], channels: Iterable[str]
) -> Skills:
    def norm(values: Iterable[str]) -> frozenset[str]:
        return frozenset(v.strip().lower() for v in values if v.strip())

    return Skills(norm(languages), norm(categories), norm(channels))


def needs_of(channel: str, language: str | None, category: str | None) -> Needs:
    return Needs(channel, (language or "").lower() or None, (category or "").lower() or None)


def team_for(
    needs: Needs,
    account: str,
    inboxes: Sequence[tuple[str, str, str]],
    requires: Mapping[str, Skills],
) -> str | None:
    """The team whose queue takes a conversation: among the teams of its inbox (``inboxes``:
    team id, kind, account or "*"; an exact account wins over "*"), those whose requirements it
    meets, the most specific first (most requirements named), then the smaller team id. When
    none meets them, the first team of the inbox (the conversation waits there, no skill)."""
    exact = sorted(t for t, k, a in inboxes if k == needs.channel and a == account)
    anyone = sorted(t for t, k, a in inboxes if k == needs.channel and a == "*")
    found = exact or anyone
    meeting = [t for t in found if requires.get(t, ANY).requires(needs)]
    if not meeting:
        return found[0] if found else None
    return min(meeting, key=lambda t: (-requires.get(t, ANY).matched(needs), t))


class Waiting(Protocol):
    @property
    def thread_id(self) -> str: ...
    @property
    def waiting_since(self) -> datetime: ...


W = TypeVar("W", bound=Waiting)


def longest_waiting_first(threads: Iterable[W]) -> list[W]:
    """The order a queue offers its conversations: waiting since, then thread id."""
    return sorted(threads, key=lambda w: (w.waiting_since, w.thread_id))


class Shift(Protocol):
    def is_open(self, t: datetime) -> bool: ...


def on_shift(hours: Mapping[str, Shift | None], agents: Iterable[str], now: datetime) -> set[str]:
    """The agents within their working hours at ``now`` (no hours set: always)."""
    found = set()
    for agent in agents:
        shift = hours.get(agent)
        if shift is None or shift.is_open(now):
            found.add(agent)
    return found
