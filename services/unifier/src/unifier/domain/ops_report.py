"""The operations report: what happened to the conversations opened in a window, grouped by
channel kind, agent, hour of day or day, from facts the store holds (no SQL here).

- **opened**: conversations opened in the window (the cohort); the other figures but backlog,
  callbacks owed and missed calls are the cohort's.
- **first response**: first agent message after the first customer message (p50, p90, mean).
- **resolution**: opening to closing, of the cohort's conversations closed now (p50, p90).
- **reopen rate**: reopened / closed, counting the conversations that were ever closed and those
  an agent reopened (a customer's message reopening a thread leaves no record to count).
- **backlog**: opened before the window's end and not closed by then.
- **abandoned**: a customer message and no agent reply (closed or still open).
- **missed calls**: inbound calls started in the window that nobody answered.
- **callbacks owed**: conversations whose latest missed call is later than the latest answer.

Percentiles are nearest-rank (an observed value); durations are seconds. Hours and days are
those of ``tz`` (UTC unless given); a conversation counts in the bucket of its opening.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Group = Literal["channel", "agent", "hour", "day"]
UNASSIGNED = "(unassigned)"


@dataclass(frozen=True)
class Conversation:
    channel: str
    agent: str | None  # the assignee
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
    agent: str | None  # the assignee of the call's conversation
    started_at: datetime


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime
    tz: tzinfo


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
    missed_calls: int = 0
    callbacks_owed: int = 0
    _responses: list[float] = field(default_factory=list, repr=False)
    _resolutions: list[float] = field(default_factory=list, repr=False)


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest rank: the smallest value with at least ``p`` % of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(p / 100 * len(ordered)), 1) - 1]


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _seconds(since: datetime, until: datetime) -> float:
    return (until - since).total_seconds()


def key_of(group: Group, w: Window, channel: str, agent: str | None, at: datetime) -> str:
    if group == "channel":
        return channel
    if group == "agent":
        return agent or UNASSIGNED
    local = at.astimezone(w.tz)
    return f"{local.hour:02d}" if group == "hour" else local.date().isoformat()


def empty_keys(group: Group, w: Window) -> list[str]:
    """The buckets shown even when empty: every hour, every day of the window."""
    if group == "hour":
        return [f"{h:02d}" for h in range(24)]
    if group != "day":
        return []
    day, last = w.start.astimezone(w.tz).date(), (w.end - timedelta(microseconds=1))
    days = []
    while day <= last.astimezone(w.tz).date():
        days.append(day.isoformat())
        day += timedelta(days=1)
    return days


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
    return row


def _fill(
    rows: dict[str, Row],
    items: Iterable[Conversation | MissedCall],
    key: Callable[[Conversation | MissedCall], str],
    w: Window,
) -> None:
    for item in items:
        row = rows.setdefault(key(item), Row(key(item)))
        if isinstance(item, MissedCall):
            row.missed_calls += _in_window(w, item.started_at)
        else:
            _count(row, item, w)


def report(
    conversations: Iterable[Conversation], calls: Iterable[MissedCall], group: Group, w: Window
) -> tuple[list[Row], Row]:
    """The rows by ``group`` (sorted by key; empty hours and days included) and the total."""
    convs, missed = list(conversations), list(calls)

    def key(item: Conversation | MissedCall) -> str:
        at = item.opened_at if isinstance(item, Conversation) else item.started_at
        return key_of(group, w, item.channel, item.agent, at)

    rows = {k: Row(k) for k in empty_keys(group, w)}
    _fill(rows, [*convs, *missed], key, w)
    total: dict[str, Row] = {}
    _fill(total, [*convs, *missed], lambda _: "total", w)
    return [_finish(rows[k]) for k in sorted(rows)], _finish(total.get("total", Row("total")))


MAX_DAYS = 366


def window(start: datetime, end: datetime, tz: str | None) -> Window:
    """The report's window; ValueError names what is wrong (aware times, from < to, at most
    366 days, a known IANA time zone)."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("from and to need a UTC offset")
    if start >= end:
        raise ValueError("from must be before to")
    if end - start > timedelta(days=MAX_DAYS):
        raise ValueError(f"the window is longer than {MAX_DAYS} days")
    try:
        zone: tzinfo = ZoneInfo(tz) if tz else UTC
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {tz!r}") from None
    return Window(start, end, zone)
