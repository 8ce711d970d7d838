"""The operations report's arithmetic: percentiles, the figures per group, empty buckets, the
time zone of hours and days, and the window's checks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from unifier.domain.ops_groups import Filter, Group
from unifier.domain.ops_quality import CsatAnswer, Quality, SlaOutcome
from unifier.domain.ops_report import (
    Carried,
    Conversation,
    MissedCall,
    Row,
    Scope,
    percentile,
    report,
)
from unifier.domain.ops_window import Window, local_days, window
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
    account: str = "acct",
    **flags: bool,
) -> Conversation:
    return Conversation(
        thread_id=f"t{opened.total_seconds():g}-{channel}",
        channel=channel,
        account=account,
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
    MissedCall("voice", "line", None, T0 + 3 * M),
    MissedCall("voice", "line", "a1", T0 + 25 * 60 * M),  # after the window
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
    rows, total = report(CONVS, CALLS, Scope("channel", W))
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
    rows, _ = report(CONVS, CALLS, Scope("agent", W))
    assert [(r.key, r.opened, r.backlog, r.missed_calls) for r in rows] == [
        ("(unassigned)", 1, 1, 1),
        ("a1", 2, 0, 0),
        ("a2", 1, 2, 0),
    ]


def test_hours_all_shown_and_in_the_given_zone() -> None:
    rows, _ = report(CONVS, [], Scope("hour", W))
    assert [r.key for r in rows] == ["(before)", *(f"{h:02d}" for h in range(24))]
    assert (rows[0].opened, rows[0].backlog, rows[0].callbacks_owed) == (0, 1, 1)
    assert {r.key: r.opened for r in rows if r.opened} == {"09": 2, "10": 2}
    berlin = window(W.start, W.end, "Europe/Berlin")  # UTC+1 in November
    rows, _ = report(CONVS, [], Scope("hour", berlin))
    assert {r.key: r.opened for r in rows if r.opened} == {"10": 2, "11": 2}
    assert sum(r.opened for r in rows) == 4 and rows[1].first_response_p50 is None


@pytest.mark.parametrize(
    ("tz", "days"),
    [
        (None, ["2026-11-01", "2026-11-02"]),  # 09:00 to 09:00 UTC spans two dates
        ("America/Los_Angeles", ["2026-11-01", "2026-11-02"]),
        ("Pacific/Kiritimati", ["2026-11-01", "2026-11-02"]),  # UTC+14: 23:00 to 23:00
    ],
)
def test_days_cover_the_window_in_the_zone(tz: str | None, days: list[str]) -> None:
    rows, total = report([], [], Scope("day", window(W.start, W.end, tz)))
    assert [r.key for r in rows] == days
    assert total.opened == 0 and total.reopen_rate is None and total.first_response_mean is None


def test_day_bucket_moves_with_the_zone() -> None:
    late = [conv(14 * 60 * M + 30 * M)]  # 23:30 UTC on 1 Nov; 2 Nov 00:30 in Berlin
    by_utc, _ = report(late, [], Scope("day", W))
    by_berlin, _ = report(late, [], Scope("day", window(W.start, W.end, "Europe/Berlin")))
    assert {r.key: r.opened for r in by_utc} == {"2026-11-01": 1, "2026-11-02": 0}
    assert {r.key: r.opened for r in by_berlin} == {"2026-11-01": 0, "2026-11-02": 1}


def test_empty_channel_groups_yield_no_rows() -> None:
    group: Group = "channel"
    rows, total = report([], [], Scope(group, W))
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


INBOXES = [("t-mail", "email", "*"), ("t-vip", "whatsapp", "vip"), ("t-wa", "whatsapp", "*")]


def test_by_team_takes_the_inbox_as_sla_policies_do() -> None:
    convs = [*CONVS, conv(80 * M, channel="whatsapp", account="vip", reply=5 * M)]
    calls = [MissedCall("voice", "line", None, T0 + 3 * M)]
    rows, total = report(convs, calls, Scope("team", W, inboxes=INBOXES))
    assert [(r.key, r.opened, r.backlog, r.abandoned, r.missed_calls) for r in rows] == [
        ("(no team)", 0, 0, 0, 1),  # the voice line is no team's inbox
        ("t-mail", 2, 0, 0, 0),
        ("t-vip", 1, 1, 0, 0),  # the exact account wins over "*"
        ("t-wa", 2, 3, 1, 0),
    ]
    assert total.opened == 5 and total.first_response_p50 == 300.0


@pytest.mark.parametrize(
    ("only", "opened", "backlog", "missed"),
    [
        (Filter(), 4, 3, 1),
        (Filter(channel="whatsapp"), 2, 3, 0),
        (Filter(channel="voice"), 0, 0, 1),
        (Filter(team="t-wa"), 2, 3, 0),
        (Filter(team="(no team)"), 0, 0, 1),
        (Filter(agent="a1"), 2, 0, 0),
        (Filter(agent="(unassigned)"), 1, 1, 1),
        (Filter(channel="email", agent="a2"), 0, 0, 0),
        (Filter(team="t-mail", agent="a1"), 2, 0, 0),
    ],
)
def test_filters(only: Filter, opened: int, backlog: int, missed: int) -> None:
    _, total = report(CONVS, CALLS, Scope("channel", W, only, INBOXES))
    assert (total.opened, total.backlog, total.missed_calls) == (opened, backlog, missed)


def test_weekdays_in_the_zone() -> None:
    week = window(T0, T0 + timedelta(days=7), None)  # 1 Nov 2026 is a Sunday
    late = [conv(14 * 60 * M + 30 * M), conv(24 * 60 * M)]  # Sun 23:30 UTC, Mon 09:00 UTC
    rows, _ = report(late, [], Scope("weekday", week))
    assert [(r.key, r.opened) for r in rows] == [
        ("Mon", 1), ("Tue", 0), ("Wed", 0), ("Thu", 0), ("Fri", 0), ("Sat", 0), ("Sun", 1),
    ]  # fmt: skip
    tokyo = window(T0, T0 + timedelta(days=7), "Asia/Tokyo")  # Mon 08:30 and Mon 18:00
    rows, _ = report(late, [], Scope("weekday", tokyo))
    assert {r.key: r.opened for r in rows if r.opened} == {"Mon": 2}


def test_abandonment_rate_counts_only_conversations_a_customer_wrote_in() -> None:
    convs = [
        conv(0 * M),  # abandoned
        conv(1 * M, reply=M),
        conv(2 * M, customer=False),  # an agent's outreach: nobody to abandon
        conv(3 * M, closed=9 * M),  # closed without an answer: abandoned too
    ]
    _, total = report(convs, [], Scope("channel", W))
    assert (total.opened, total.abandoned, total.abandonment_rate) == (4, 2, 2 / 3)


def quality_of(row: Row) -> tuple[object, ...]:
    return (
        row.sla_fulfilled,
        row.sla_breached,
        row.sla_attainment,
        row.csat_answers,
        row.csat_mean,
        row.csat_satisfied,
    )


def test_sla_and_csat_unmeasured_are_none_not_zero() -> None:
    rows, total = report(CONVS, [], Scope("channel", W))
    assert {quality_of(r) for r in [*rows, total]} == {(None,) * 6}
    rows, total = report(CONVS, [], Scope("channel", W), Quality(sla=[], csat=[]))
    assert quality_of(total) == (0, 0, None, 0, None, None)


EMAIL_1, EMAIL_2, WA = CONVS[0].thread_id, CONVS[1].thread_id, CONVS[3].thread_id
QUALITY = Quality(
    sla=[
        SlaOutcome(EMAIL_1, fulfilled=True),
        SlaOutcome(EMAIL_1, fulfilled=True),  # first response and resolution
        SlaOutcome(EMAIL_2, fulfilled=False),
        SlaOutcome(WA, fulfilled=True),
        SlaOutcome(CONVS[4].thread_id, fulfilled=False),  # opened before the window
        SlaOutcome("elsewhere", fulfilled=False),
    ],
    csat=[
        CsatAnswer(EMAIL_1, 5),
        CsatAnswer(EMAIL_2, 2),
        CsatAnswer(WA, 4),
        CsatAnswer(WA, 0),  # out of the scale
        CsatAnswer(CONVS[5].thread_id, 1),  # opened before the window
    ],
)


def test_sla_attainment_and_csat_by_group() -> None:
    rows, total = report(CONVS, CALLS, Scope("channel", W), QUALITY)
    assert {r.key: quality_of(r) for r in rows} == {
        "email": (2, 1, 2 / 3, 2, 3.5, 0.5),
        "voice": (0, 0, None, 0, None, None),
        "whatsapp": (1, 0, 1.0, 1, 4.0, 1.0),
    }
    assert quality_of(total) == (3, 1, 0.75, 3, 11 / 3, 2 / 3)


def test_sla_and_csat_follow_the_filter() -> None:
    _, total = report(CONVS, CALLS, Scope("agent", W, Filter(agent="a2")), QUALITY)
    assert quality_of(total) == (1, 0, 1.0, 1, 4.0, 1.0)


@pytest.mark.parametrize(
    ("first", "last", "tz", "start", "hours"),
    [
        (date(2026, 11, 2), date(2026, 11, 2), None, "2026-11-02T00:00:00+00:00", 24),
        (date(2026, 3, 29), date(2026, 3, 29), "Europe/Berlin", "2026-03-28T23:00+00:00", 23),
        (date(2026, 10, 25), date(2026, 10, 25), "Europe/Berlin", "2026-10-24T22:00+00:00", 25),
        (date(2026, 11, 1), date(2026, 11, 7), "America/New_York", "2026-11-01T04:00+00:00", 169),
        (date(2026, 12, 31), date(2027, 1, 1), "Pacific/Kiritimati", "2026-12-30T10:00+00:00", 48),
    ],
)  # fmt: skip
def test_local_days(first: date, last: date, tz: str | None, start: str, hours: int) -> None:
    w = local_days(first, last, tz)
    assert w.start == datetime.fromisoformat(start)
    assert (w.end - w.start).total_seconds() == hours * 3600
    rows, _ = report([], [], Scope("day", w))
    assert (rows[0].key, rows[-1].key) == (first.isoformat(), last.isoformat())


def test_local_days_refuses() -> None:
    with pytest.raises(ValueError, match="after"):
        local_days(date(2026, 1, 2), date(2026, 1, 1), None)
    with pytest.raises(ValueError, match="time zone"):
        local_days(date(2026, 1, 1), date(2026, 1, 2), "Europe/Nowhere")
    with pytest.raises(ValueError, match="366"):
        local_days(date(2026, 1, 1), date(2027, 1, 2), None)


def test_window_reads_the_zone_as_snoozes_do() -> None:
    assert isinstance(W, Window) and W.tz == ZoneInfo("UTC")


@pytest.mark.parametrize(
    ("scale", "scores", "mean", "satisfied"),
    [
        (5, [1, 2, 3, 4, 5], 3.0, 2 / 5),
        (3, [1, 2, 3], 3.0, 1 / 3),  # only "Great" is satisfied
        (2, [1, 2, 2], 1 + 4 * 2 / 3, 2 / 3),
        (10, [10, 8, 7, 1], 1 + 4 * (9 + 7 + 6 + 0) / 36, 2 / 4),
        (5, [0, 6, 5], 5.0, 1.0),  # off the scale: not counted
    ],
)
def test_csat_on_every_scale(scale: int, scores: list[int], mean: float, satisfied: float) -> None:
    answers = [CsatAnswer(EMAIL_1, s, scale) for s in scores]
    _, total = report(CONVS, [], Scope("channel", W), Quality(csat=answers))
    assert total.csat_mean == pytest.approx(mean)
    assert total.csat_satisfied == pytest.approx(satisfied)
    assert total.csat_answers == len([s for s in scores if 1 <= s <= scale])


@pytest.mark.parametrize("group", ["channel", "team", "agent", "hour", "weekday", "day"])
def test_carried_counts_are_the_conversations_they_count(group: Group) -> None:
    """The conversations opened before the window, counted by the store, give the rows the same
    conversations one by one give."""
    before = [c for c in CONVS if c.opened_at < W.start]
    counted = [
        Carried(c.channel, c.account, c.agent, backlog=1, callbacks_owed=int(c.callback_owed))
        for c in before
        if c.closed_at is None or c.closed_at >= W.end or c.callback_owed
    ]
    cohort = [c for c in CONVS if c.opened_at >= W.start]
    scope = Scope(group, W, inboxes=INBOXES)
    one_by_one = report(CONVS, CALLS, scope)
    assert report(cohort, CALLS, scope, carried=counted) == one_by_one
