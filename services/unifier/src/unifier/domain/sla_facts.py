"""A conversation's SLA facts (:class:`~unifier.domain.sla.Fact`) from what is stored about it:
its messages and its activity rows. Nothing else: a restart or a replay derives the same facts.

- a customer's inbound message is ``customer_message``; an agent's reply (outbound, unless it
  failed) or an agent's message the channel echoed is ``agent_reply``;
- ``closed`` is ``resolved``; ``reopened`` (an agent) and ``reopened_by_message`` (a customer
  message reopened it; written with the message's time) are ``reopened``;
- ``waiting`` (an agent: waiting on the customer) starts a pause that ends at
  ``waiting_ended``, at the customer's next message, or at a close;
- ``snoozed`` (with its ``until``) starts a pause that ends at ``until``, at ``unsnoozed`` or
  ``woken``, at the customer's next message, at a later snooze's start, or at a close.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from unifier.domain.sla import Fact, FactKind

PAUSE: tuple[FactKind, FactKind] = ("waiting_started", "waiting_ended")
SNOOZE: tuple[FactKind, FactKind] = ("snooze_started", "snooze_ended")
CLOSES = {"closed": "resolved", "reopened": "reopened", "reopened_by_message": "reopened"}
ENDS = {
    "waiting": ("waiting_ended", "closed"),
    "snoozed": ("unsnoozed", "woken", "snoozed", "closed"),
}


@dataclass(frozen=True)
class Said:
    """A message as SLA sees it."""

    at: datetime
    role: str
    direction: str
    status: str | None = None

    def kind(self) -> FactKind | None:
        if self.direction == "outbound":
            return None if self.status == "failed" else "agent_reply"
        return {"customer": "customer_message", "agent": "agent_reply"}.get(self.role)  # type: ignore[return-value]


@dataclass(frozen=True)
class Done:
    """An activity row: its kind, time and detail (JSON decoded)."""

    at: datetime
    kind: str
    detail: dict[str, Any]


def facts(said: Iterable[Said], done: Iterable[Done]) -> list[Fact]:
    messages = [Fact(k, s.at) for s in said if (k := s.kind()) is not None]
    rows = sorted(done, key=lambda d: d.at)
    out = messages + [Fact(CLOSES[d.kind], d.at) for d in rows if d.kind in CLOSES]  # type: ignore[arg-type]
    asked = sorted(f.at for f in messages if f.kind == "customer_message")
    for i, row in enumerate(rows):
        if row.kind in ENDS:
            out += _pause(row, rows[i + 1 :], asked)
    return sorted(out, key=_order)


def _pause(row: Done, later: list[Done], asked: list[datetime]) -> list[Fact]:
    """The pause a ``waiting`` or ``snoozed`` row starts, and the fact that ends it (none
    while it lasts)."""
    snooze = row.kind == "snoozed"
    ends = [d.at for d in later if d.kind in ENDS[row.kind]]
    ends += [t for t in asked if t > row.at]
    until = row.detail.get("until") if snooze else None
    if isinstance(until, str):
        ends.append(datetime.fromisoformat(until))
    start, end = SNOOZE if snooze else PAUSE
    return [Fact(start, row.at)] + [Fact(end, t) for t in sorted(ends)[:1]]


RANK: dict[str, int] = {
    "snooze_ended": 0,
    "waiting_ended": 0,
    "customer_message": 1,
    "resolved": 2,
    "reopened": 3,
    "agent_reply": 4,
    "waiting_started": 5,
    "snooze_started": 5,
}


def _order(fact: Fact) -> tuple[datetime, int]:
    """By time; at one moment a pause ends before the message that ended it, a customer
    message before the reopen it caused, and a pause starts last."""
    return fact.at, RANK[fact.kind]
