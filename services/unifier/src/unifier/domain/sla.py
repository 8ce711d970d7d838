"""SLA policies and clocks: the vocabulary (facts, policies, clocks) and policy selection.

A conversation's clocks are computed from its ordered history of facts
(:func:`unifier.domain.sla_clocks.clocks`); the events they imply are the difference of two
evaluations (:func:`unifier.domain.sla_events.due_events`). Nothing here keeps a timer: every
answer is recomputed from the facts and the moment asked about, so a restart or a replay gives
the same clocks and the same event ids.

Rules:

- **Policies** are ordered; the first whose match fits the conversation's priority, channel kind,
  labels (any one of them) and team wins (an empty criterion matches anything). A policy has
  targets for first response, next response and resolution (a missing target starts no clock),
  counts business hours (on the given calendar) or calendar hours (plain elapsed time), and warns
  at a share of each target (0.8: at 80 % of it).
- **Cycles.** The first customer message opens cycle 1; a resolve closes the cycle; a reopen of a
  resolved conversation opens the next cycle, under the policy in force at the reopen. Facts in
  a closed cycle start or fulfil nothing (an agent reply after the resolve does not count,
  chatwoot#10178); a reopen without a resolve before it, or a resolve with no open cycle, is
  ignored.
- **First response** runs from the cycle's first customer message (in a reopened cycle: from the
  reopen when the customer wrote since the resolve, else from the next customer message) to the
  first agent reply after it. Later replies or updates do not move it (zammad#5177).
- **Next response**: each customer message after an agent reply starts a next-response clock
  (numbered 1, 2, ... in the cycle); more customer messages before the next reply start none;
  the next agent reply fulfils it.
- **Resolution** runs from the cycle's start to the resolve.
- **Pauses**: all running clocks pause while the conversation waits on the customer or is snoozed
  (either one is enough) and resume when neither holds; a clock started meanwhile starts paused.
  A resolve ends both. The time a clock has used is counted in the policy's time, so a pause
  moves the due time by the paused share of that time; a due time passing during a pause
  breaches nothing.
- **States**: running, paused, fulfilled (the reply or resolve came at or before the due time),
  breached (the due time passed while running: recorded at the due time, final, so a later
  reply neither fulfils it nor escalates again, zammad#3140), stopped (the resolve ended a
  response clock that was not yet answered). The warning is recorded at its own time while the
  clock runs. Facts at a moment apply before a threshold at that same moment; a threshold at or
  before ``now`` has happened.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, Protocol

FactKind = Literal[
    "customer_message",
    "agent_reply",
    "waiting_started",
    "waiting_ended",
    "snooze_started",
    "snooze_ended",
    "resolved",
    "reopened",
]
Target = Literal["first_response", "next_response", "resolution"]
TARGETS: tuple[Target, ...] = ("first_response", "next_response", "resolution")
State = Literal["running", "paused", "fulfilled", "breached", "stopped"]
Hours = Literal["business", "calendar"]
Span = tuple[datetime, datetime]


class BusinessTime(Protocol):
    """Time arithmetic a policy counts in; :class:`hotline.calendars.Calendar` is one."""

    def add(self, start: datetime, duration: timedelta) -> datetime: ...

    def between(self, a: datetime, b: datetime) -> timedelta: ...


class CalendarTime:
    """Calendar hours: every moment counts (plain elapsed time)."""

    def add(self, start: datetime, duration: timedelta) -> datetime:
        return start + duration

    def between(self, a: datetime, b: datetime) -> timedelta:
        return b - a


@dataclass(frozen=True)
class Fact:
    """One thing that happened to the conversation at ``at`` (an aware datetime)."""

    kind: FactKind
    at: datetime


@dataclass(frozen=True)
class Match:
    """Which conversations a policy is for; an empty criterion matches any conversation."""

    priorities: frozenset[str] = frozenset()
    channel_kinds: frozenset[str] = frozenset()
    labels: frozenset[str] = frozenset()  # any one of them
    teams: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Subject:
    """What a policy matches on: the conversation as it is when a cycle starts."""

    priority: str | None = None
    channel_kind: str | None = None
    labels: frozenset[str] = frozenset()
    team: str | None = None


class BadPolicy(ValueError):
    pass


@dataclass(frozen=True)
class Policy:
    name: str
    first_response: timedelta | None = None
    next_response: timedelta | None = None
    resolution: timedelta | None = None
    hours: Hours = "business"
    warn_at: float = 0.8  # share of the target
    match: Match = field(default_factory=Match)

    def __post_init__(self) -> None:
        if not 0 < self.warn_at <= 1:
            raise BadPolicy(f"{self.name}: warn_at is a share of the target, in (0, 1]")
        for target in TARGETS:
            budget = self.target(target)
            if budget is not None and budget <= timedelta(0):
                raise BadPolicy(f"{self.name}: the {target} target must be positive")

    def target(self, target: Target) -> timedelta | None:
        value: timedelta | None = getattr(self, target)
        return value

    def matches(self, subject: Subject) -> bool:
        m = self.match
        return (
            _fits(m.priorities, subject.priority)
            and _fits(m.channel_kinds, subject.channel_kind)
            and _fits(m.teams, subject.team)
            and (not m.labels or bool(m.labels & subject.labels))
        )


def _fits(allowed: frozenset[str], value: str | None) -> bool:
    return not allowed or value in allowed


def select(policies: Iterable[Policy], subject: Subject) -> Policy | None:
    """The first policy in order that matches, or None."""
    return next((p for p in policies if p.matches(subject)), None)


@dataclass(frozen=True)
class Clock:
    """One target's clock in one cycle; ``n`` numbers the next-response clocks (else 0).
    ``due_at`` is the due time in force (None while paused: it moves on resume), ``remaining``
    the policy time left, ``transitions`` each state with the moment it began."""

    conversation: str
    cycle: int
    target: Target
    n: int
    policy: str
    started_at: datetime
    paused: tuple[Span, ...]
    due_at: datetime | None
    warn_at: datetime | None
    remaining: timedelta
    state: State
    transitions: tuple[tuple[State, datetime], ...]
    warned_at: datetime | None = None
