"""SLA attainment and CSAT of the operations report, from one small store query each: the
outcome of each SLA clock (fulfilled or breached) and each survey answer, of the conversations
the report covers, counted in the row of their conversation.

- **SLA attainment**: fulfilled / (fulfilled + breached) clocks; clocks still running count in
  neither (they have no outcome yet).
- **CSAT**: the answers, their mean on 1–5 (a survey's scale of 2, 3, 5 or 10 points mapped
  linearly onto 1–5), and the share satisfied: at or above three quarters of the scale (4–5 of
  5, 3 of 3, 2 of 2, 8–10 of 10).

A ``Quality`` field of None (no source given: ``report``'s default) leaves its figures None,
which is not zero; an empty list means none in the window. The service always gives both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

SATISFIED = 0.75  # an answer at or above this share of the scale (1 is 0, the best 1)


@dataclass(frozen=True)
class SlaOutcome:
    thread_id: str
    fulfilled: bool  # else breached


@dataclass(frozen=True)
class CsatAnswer:
    thread_id: str
    score: int  # 1 to scale
    scale: int = 5

    @property
    def share(self) -> float | None:
        """Where the score sits on its scale, 0 (worst) to 1 (best); None when off the scale."""
        if self.scale < 2 or not 1 <= self.score <= self.scale:
            return None
        return (self.score - 1) / (self.scale - 1)


@dataclass(frozen=True)
class Quality:
    sla: Sequence[SlaOutcome] | None = None  # None: no SLA clocks in this deployment
    csat: Sequence[CsatAnswer] | None = None  # None: no CSAT surveys in this deployment


class Scored(Protocol):
    sla_fulfilled: int | None
    sla_breached: int | None
    sla_attainment: float | None
    csat_answers: int | None
    csat_mean: float | None
    csat_satisfied: float | None
    _scores: list[float]


def start(row: Scored, q: Quality) -> None:
    """Measured figures start at zero; unmeasured ones stay None."""
    if q.sla is not None:
        row.sla_fulfilled = row.sla_breached = 0
    if q.csat is not None:
        row.csat_answers = 0


def count(rows: Mapping[str, Sequence[Scored]], q: Quality) -> None:
    """Each outcome and answer into the rows of its conversation (``rows``: thread id to its
    rows, e.g. its group's and the total); those of other conversations are left out."""
    for o in q.sla or ():
        for row in rows.get(o.thread_id, ()):
            if o.fulfilled:
                row.sla_fulfilled = (row.sla_fulfilled or 0) + 1
            else:
                row.sla_breached = (row.sla_breached or 0) + 1
    for a in q.csat or ():
        share = a.share
        if share is None:
            continue
        for row in rows.get(a.thread_id, ()):
            row._scores.append(share)


def finish(row: Scored) -> None:
    ended = (row.sla_fulfilled or 0) + (row.sla_breached or 0)
    row.sla_attainment = (row.sla_fulfilled or 0) / ended if ended else None
    if row.csat_answers is not None:
        row.csat_answers = len(row._scores)
    if row._scores:
        row.csat_mean = 1 + 4 * sum(row._scores) / len(row._scores)
        row.csat_satisfied = sum(s >= SATISFIED for s in row._scores) / len(row._scores)
