"""Which SLA events two evaluations of the clocks imply: the new warnings, breaches and
fulfilments, each once per (conversation, cycle, target, n), with an id that is a pure function
of that key and the kind, so a replay or a restart that evaluates again emits the same ids (and
the consumer's idempotent write drops the repeat). An event the earlier evaluation already
implied is not new; one the later evaluation no longer implies is not taken back. Breached and
fulfilled are one outcome: once a clock's outcome is out, a late fact that changes it (a reply
stored with a time before the due time) emits no second one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from hotline.events import uuid5_str
from unifier.domain.sla import Clock, Target

SlaKind = Literal["sla.warning", "sla.breached", "sla.fulfilled"]
ORDER: tuple[SlaKind, ...] = ("sla.warning", "sla.breached", "sla.fulfilled")
OUTCOMES: frozenset[SlaKind] = frozenset({"sla.breached", "sla.fulfilled"})
SLA_NAMESPACE = uuid.UUID("3b0e6c52-7a1f-5d49-8e2c-9f4a6d1b7c30")
Key = tuple[str, int, Target, int]  # conversation, cycle, target, n


@dataclass(frozen=True)
class SlaEvent:
    event_id: str
    kind: SlaKind
    conversation: str
    cycle: int
    target: Target
    n: int
    policy: str
    at: datetime  # when it happened: the threshold's moment, or the fulfilling fact's


def sla_event_id(key: Key, kind: SlaKind) -> str:
    conversation, cycle, target, n = key
    return uuid5_str(SLA_NAMESPACE, "\x1f".join((conversation, str(cycle), target, str(n), kind)))


def key_of(clock: Clock) -> Key:
    return clock.conversation, clock.cycle, clock.target, clock.n


def implied(clock: Clock) -> dict[SlaKind, datetime]:
    """The events a clock implies, with their moments."""
    found: dict[SlaKind, datetime] = {}
    if clock.warned_at is not None:
        found["sla.warning"] = clock.warned_at
    last_state, at = clock.transitions[-1]
    if last_state == "breached":
        found["sla.breached"] = at
    elif last_state == "fulfilled":
        found["sla.fulfilled"] = at
    return found


def due_events(before: Iterable[Clock], after: Iterable[Clock]) -> list[SlaEvent]:
    """The events ``after`` implies that ``before`` did not, by time, warnings first."""
    seen = {key_of(c): implied(c) for c in before}
    new: list[SlaEvent] = []
    for clock in after:
        key, old = key_of(clock), seen.get(key_of(clock), {})
        for kind, at in implied(clock).items():
            if kind not in old and not (kind in OUTCOMES and OUTCOMES & old.keys()):
                new.append(_event(key, kind, clock.policy, at))
    return sorted(new, key=lambda e: (e.at, ORDER.index(e.kind), e.event_id))


def _event(key: Key, kind: SlaKind, policy: str, at: datetime) -> SlaEvent:
    conversation, cycle, target, n = key
    return SlaEvent(sla_event_id(key, kind), kind, conversation, cycle, target, n, policy, at)


def next_threshold(clocks: Iterable[Clock]) -> datetime | None:
    """The earliest warning or due time still ahead of a running clock: when to evaluate next
    (a paused clock has none until a fact resumes it)."""
    ahead = [
        t
        for c in clocks
        if c.state == "running"
        for t in (c.warn_at if c.warned_at is None else None, c.due_at)
        if t is not None
    ]
    return min(ahead, default=None)
