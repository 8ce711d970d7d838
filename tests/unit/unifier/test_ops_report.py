"""The operations report's arithmetic: percentiles, the figures per group, empty buckets, the
time zone of hours and days, and the window's checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from unifier.domain.ops_report import (
    Conversation,
    Group,
    MissedCall,
    Row,
    percentile,
    report,
    window,
)
from unifier.entrypoints.api.report_routes import safe_cell

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
W = window(T0, T0 + timedelta(days=1), None)
M = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        ([], 50, None),
        ([7.0], 50, 7.0),
        ([7.0], 90, 7.0),
        ([3.0, 1.0], 50, 1.0),
        ([3.0, 1.0], 90, 3.0),
        ([1.0, 2.0, 3.0, 4.0], 50, 2.0),
        ([float(i) for i in range(1, 11)], 90, 9.0),
        ([float(i) for i in range(1, 12)], 90, 10.0),
        ([5.0, 5.0, 1.0], 0, 1.0),
        ([5.0, 2.0, 1.0], 100, 5.0),
    ],
)
def test_nearest_rank_percentile(values: list[float], p: float, expected: float | None) -> None:
    assert percentile(values, p) == expected


def conv(
    opened: timedelta,
    *,
    channel: str = "email",
    agent: str | None = "a1",
    reply: timedelta | None = None,
    closed: timedelta | None = None,
    customer: bool = True,
    **flags: bool,
) -> Conversation:
    return Conversation(
        channel=channel,
        agent=agent,
        opened_at=T0 + opened,
        closed_at=T0 + closed if closed is not None else None,
        first_customer_at=T0 + opened if customer else None,
        first_reply_at=T0 + opened + reply if reply is not None else None,
        closed=closed is not None or flags.pop("closed", False),
        **flags,
    )


CONVS = [
    conv(0 * M, reply=10 * M, closed=60 * M),
    conv(5 * M, reply=30 * M, closed=125 * M, reopened=True),
    conv(65 * M, channel="whatsapp", agent=None),  # abandoned, open
    conv(
        70 * M, channel="whatsapp", agent="a2", reply=2 * M, closed=28 * 60 * M
    ),  # closed after the end: 1610 min
    conv(-60 * M, closed=30 * M),  # opened before: neither opened nor backlog
    conv(-120 * M, channel="whatsapp", agent="a2", callback_owed=True),  # backlog, owes a call
]
CALLS = [
    MissedCall("voice", None, T0 + 3 * M),
    MissedCall("voice", "a1", T0 + 25 * 60 * M),  # after the window
]


def figures(row: Row) -> tuple[object, ...]:
    return (
        row.key,
        row.opened,
        row.first_response_p50,
        row.first_response_p90,
        row.first_response_mean,
        row.resolution_p50,
        row.resolution_p90,
        row.closed,
        row.reopened,
        row.reopen_rate,
        row.backlog,
        row.abandoned,
        row.missed_calls,
        row.callbacks_owed,
    )


def test_by_channel_and_total() -> None:
    rows, total = report(CONVS, CALLS, "channel", W)
    assert [figures(r) for r in rows] == [
        ("email", 2, 600.0, 1800.0, 1200.0, 3600.0, 7200.0, 2, 1, 0.5, 0, 0, 0, 0),
        ("voice", 0, None, None, None, None, None, 0, 0, None, 0, 0, 1, 0),
        ("whatsapp", 2, 120.0, 120.0, 120.0, 96600.0, 96600.0, 1, 0, 0.0, 3, 1, 0, 1),
    ]
    assert figures(total) == (
        "total",
        4,
        600.0,
        1800.0,
        2520.0 / 3,
        7200.0,
        96600.0,
        3,
        1,
        1 / 3,
        3,
        1,
        1,
        1,
    )


def test_by_agent_names_the_unassigned() -> None:
    rows, _ = report(CONVS, CALLS, "agent", W)
    assert [(r.key, r.opened, r.backlog, r.missed_calls) for r in rows] == [
        ("(unassigned)", 1, 1, 1),
        ("a1", 2, 0, 0),
        ("a2", 1, 2, 0),
    ]


def test_hours_all_shown_and_in_the_given_zone() -> None:
    rows, _ = report(CONVS, [], "hour", W)
    assert [r.key for r in rows] == [f"{h:02d}" for h in range(24)]
    assert {r.key: r.opened for r in rows if r.opened} == {"09": 2, "10": 2}
    berlin = window(W.start, W.end, "Europe/Berlin")  # UTC+1 in November
    rows, _ = report(CONVS, [], "hour", berlin)
    assert {r.key: r.opened for r in rows if r.opened} == {"10": 2, "11": 2}
    assert sum(r.opened for r in rows) == 4 and rows[0].first_response_p50 is None


@pytest.mark.parametrize(
    ("tz", "days"),
    [
        (None, ["2026-11-01", "2026-11-02"]),  # 09:00 to 09:00 UTC spans two dates
        ("America/Los_Angeles", ["2026-11-01", "2026-11-02"]),
        ("Pacific/Kiritimati", ["2026-11-01", "2026-11-02"]),  # UTC+14: 23:00 to 23:00
    ],
)
def test_days_cover_the_window_in_the_zone(tz: str | None, days: list[str]) -> None:
    rows, total = report([], [], "day", window(W.start, W.end, tz))
    assert [r.key for r in rows] == days
    assert total.opened == 0 and total.reopen_rate is None and total.first_response_mean is None


def test_day_bucket_moves_with_the_zone() -> None:
    late = [conv(14 * 60 * M + 30 * M)]  # 23:30 UTC on 1 Nov; 2 Nov 00:30 in Berlin
    by_utc, _ = report(late, [], "day", W)
    by_berlin, _ = report(late, [], "day", window(W.start, W.end, "Europe/Berlin"))
    assert {r.key: r.opened for r in by_utc} == {"2026-11-01": 1, "2026-11-02": 0}
    assert {r.key: r.opened for r in by_berlin} == {"2026-11-01": 0, "2026-11-02": 1}


def test_empty_channel_groups_yield_no_rows() -> None:
    group: Group = "channel"
    rows, total = report([], [], group, W)
    assert rows == [] and total.key == "total" and total.opened == 0


@pytest.mark.parametrize(
    ("start", "end", "tz", "error"),
    [
        (T0, T0, None, "before"),
        (T0 + M, T0, None, "before"),
        (T0, T0 + timedelta(days=367), None, "366"),
        (T0, T0 + M, "Mars/Olympus", "time zone"),
        (T0, T0 + M, "../etc", "time zone"),
        (T0.replace(tzinfo=None), T0 + M, None, "offset"),
    ],
)
def test_bad_windows(start: datetime, end: datetime, tz: str | None, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        window(start, end, tz)


def test_good_window() -> None:
    w = window(T0, T0 + timedelta(days=366), "Asia/Tokyo")
    assert w.tz == ZoneInfo("Asia/Tokyo") and w.end - w.start == timedelta(days=366)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM", "'@SUM"),
        ("email", "email"),
        (None, ""),
        (0.5, "0.5"),
        ("a=b", "a=b"),
    ],
)
def test_safe_cell(value: object, cell: str) -> None:
    assert safe_cell(value) == cell
