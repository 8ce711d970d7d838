"""The operations report: what happened to the conversations opened in a window, by channel
kind, team, agent, hour of day, weekday or day (:mod:`.ops_groups`), from facts the store holds
(no SQL here).

- **opened**: conversations opened in the window (the cohort); the other figures but backlog,
  callbacks owed and missed calls are the cohort's.
- **first response**: first agent message after the first customer message (p50, p90, mean).
- **resolution**: opening to closing, of the cohort's conversations closed now (p50, p90).
- **reopen rate**: reopened / closed, counting the conversations that were ever closed and those
  an agent reopened (a customer's message reopening a thread leaves no record to count).
- **backlog**: opened before the window's end and not closed by then.
- **abandoned**: the customer wrote and no agent ever answered (closed or still open); the
  **abandonment rate** is abandoned / the cohort's conversations a customer wrote in.
- **missed calls**: inbound calls started in the window that nobody answered.
- **callbacks owed**: conversations whose latest missed call is later than the latest answer.
- Conversations opened before the window count only in backlog and callbacks owed; the store
  may give them one by one or counted (:class:`Carried`).
- **SLA attainment** and **CSAT**: :mod:`.ops_quality`.

Percentiles are nearest-rank (an observed value); durations are seconds. A conversation counts
in the bucket of its opening; a filter keeps only the items of a channel, team and agent.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from unifier.domain import ops_quality
from unifier.domain.ops_groups import Filter, Group, Inboxes, Where, key_of, ordered, passes
from unifier.domain.ops_quality import Quality
from unifier.domain.ops_window import Window


@dataclass(frozen=True)
class Conversation:
    thread_id: str
    channel: str
    account: str  # its inbox: the account its first message came in on
    agent: str | None  # the assignee, else the agent who replied first
    opened_at: datetime
    closed_at: datetime | None  # None: open now
    first_customer_at: datetime | None
    first_reply_at: datetime | None  # the first agent message after the first customer one
    closed: bool = False  # ever closed (closed now, or a close recorded)
    reopened: bool = False  # an agent reopened it
    callback_owed: bool = False


@dataclass(frozen=True)
class MissedCall:
    channel: str
    account: str
    agent: str | None  # the assignee of the call's conversation
    started_at: datetime


@dataclass(frozen=True)
class Carried:
    """Conversations opened before the window, counted by channel kind, inbox and agent: how
    many were not closed by its end (backlog) and how many owe a call back."""

    channel: str
    account: str
    agent: str | None
    backlog: int
    callbacks_owed: int


BEFORE_ANY = datetime.min.replace(tzinfo=UTC)  # when a Carried count opened: before the window
Item = Conversation | MissedCall | Carried


@dataclass(frozen=True)
class Scope:
    group: Group
    window: Window
    only: Filter = field(default_factory=Filter)
    inboxes: Inboxes = ()


NOT_MEASURED = Quality()


@dataclass
class Row:
    """One group's figures; durations in seconds, None when nothing was measured."""

    key: str
    opened: int = 0
    first_response_p50: float | None = None
    first_response_p90: float | None = None
    first_response_mean: float | None = None
    resolution_p50: float | None = None
    resolution_p90: float | None = None
    closed: int = 0
    reopened: int = 0
    reopen_rate: float | None = None
    backlog: int = 0
    abandoned: int = 0
    abandonment_rate: float | None = None
    missed_calls: int = 0
    callbacks_owed: int = 0
    sla_fulfilled: int | None = None
    sla_breached: int | None = None
    sla_attainment: float | None = None
    csat_answers: int | None = None
    csat_mean: float | None = None
    csat_satisfied: float | None = None
    _asked: int = field(default=0, repr=False)  # the cohort's conversations a customer wrote in
    _responses: list[float] = field(default_factory=list, repr=False)
    _resolutions: list[float] = field(default_factory=list, repr=False)
    _scores: list[float] = field(default_factory=list, repr=False)  # CSAT, 0 to 1


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest rank: the smallest value with at least ``p`` % of the values at or below it."""
    if not values:
        return None
    ordered_ = sorted(values)
    return ordered_[max(math.ceil(p / 100 * len(ordered_)), 1) - 1]


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _seconds(since: datetime, until: datetime) -> float:
    return (until - since).total_seconds()


def _in_window(w: Window, at: datetime) -> bool:
    return w.start <= at < w.end


def _count(row: Row, c: Conversation, w: Window) -> None:
    if c.opened_at < w.end and (c.closed_at is None or c.closed_at >= w.end):
        row.backlog += 1
    row.callbacks_owed += c.callback_owed
    if not _in_window(w, c.opened_at):
        return
    row.opened += 1
    row.closed += c.closed or c.reopened
    row.reopened += c.reopened
    row._asked += c.first_customer_at is not None
    if c.first_customer_at is not None and c.first_reply_at is None:
        row.abandoned += 1
    if c.first_customer_at is not None and c.first_reply_at is not None:
        row._responses.append(_seconds(c.first_customer_at, c.first_reply_at))
    if c.closed_at is not None:
        row._resolutions.append(_seconds(c.opened_at, c.closed_at))


def _finish(row: Row) -> Row:
    row.first_response_p50 = percentile(row._responses, 50)
    row.first_response_p90 = percentile(row._responses, 90)
    row.first_response_mean = mean(row._responses)
    row.resolution_p50 = percentile(row._resolutions, 50)
    row.resolution_p90 = percentile(row._resolutions, 90)
    row.reopen_rate = row.reopened / row.closed if row.closed else None
    row.abandonment_rate = row.abandoned / row._asked if row._asked else None
    ops_quality.finish(row)
    return row


def _where(item: Item) -> Where:
    if isinstance(item, MissedCall):
        return Where(item.channel, item.account, item.agent, item.started_at)
    if isinstance(item, Carried):
        return Where(item.channel, item.account, item.agent, BEFORE_ANY)
    return Where(item.channel, item.account, item.agent, item.opened_at)


def report(
    conversations: Iterable[Conversation],
    calls: Iterable[MissedCall],
    scope: Scope,
    quality: Quality = NOT_MEASURED,
    carried: Iterable[Carried] = (),
) -> tuple[list[Row], Row]:
    """The rows by the scope's group (empty hours, weekdays and days included) and the total,
    of the items that pass the scope's filter."""
    w, inboxes = scope.window, scope.inboxes
    every: list[Item] = [*conversations, *calls, *carried]
    items = [i for i in every if passes(_where(i), inboxes, scope.only)]
    keys = [key_of(scope.group, _where(i), w, inboxes) for i in items]
    rows = {k: Row(k) for k in ordered(scope.group, keys, w)}
    total = Row("total")
    for row in [*rows.values(), total]:
        ops_quality.start(row, quality)
    cohort: dict[str, list[Row]] = {}
    for item, key in zip(items, keys, strict=True):
        for row in (rows[key], total):
            _add(row, item, w)
        if isinstance(item, Conversation) and _in_window(w, item.opened_at):
            cohort[item.thread_id] = [rows[key], total]
    ops_quality.count(cohort, quality)
    return [_finish(r) for r in rows.values()], _finish(total)


def _add(row: Row, item: Item, w: Window) -> None:
    if isinstance(item, MissedCall):
        row.missed_calls += _in_window(w, item.started_at)
    elif isinstance(item, Carried):
        row.backlog += item.backlog
        row.callbacks_owed += item.callbacks_owed
    else:
        _count(row, item, w)
