"""The generic call CSV: the header (any order, case, unknown columns), every outcome, the
durations from the times, and every way a row can be bad."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from voice.cdr.generic import BadHeader, Columns
from voice.cdr.record import BadRow, CallRecord

BERLIN = ZoneInfo("Europe/Berlin")
HEADER = "call_id,direction,from,to,started_at,answered_at,ended_at,outcome,agent,queue,cause"
ROW = {
    "call_id": "c-1",
    "direction": "inbound",
    "from": "+49 30 1234567",
    "to": "+49 30 555000",
    "started_at": "2026-12-01T09:00:00+01:00",
    "answered_at": "2026-12-01T09:00:12+01:00",
    "ended_at": "2026-12-01T09:05:12+01:00",
    "outcome": "completed",
    "agent": "ana@acme.test",
    "queue": "support-de",
    "cause": "",
}


def parse(header: str = HEADER, **changes: str) -> CallRecord:
    columns = Columns.of(header.split(","))
    row = {**ROW, **changes}
    return columns.parse([row.get(name, "") for name in header.split(",")], BERLIN)


def test_an_answered_inbound_call() -> None:
    assert parse() == CallRecord(
        call_id="c-1",
        direction="inbound",
        customer="+49 30 1234567",
        line="+49 30 555000",
        started=datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
        ended=datetime(2026, 12, 1, 8, 5, 12, tzinfo=UTC),
        outcome="completed",
        duration_s=312,
        wait_s=12,
        answered=datetime(2026, 12, 1, 8, 0, 12, tzinfo=UTC),
        talk_s=300,
        answered_by="ana@acme.test",
        queue="support-de",
    )


@pytest.mark.parametrize(
    ("written", "outcome"),
    [
        ("completed", "completed"),
        ("busy", "busy"),
        ("no_answer", "no_answer"),
        ("no-answer", "no_answer"),
        ("NO-ANSWER", "no_answer"),
        ("canceled", "canceled"),
        ("failed", "failed"),
        ("abandoned", "abandoned"),
        ("voicemail", "voicemail"),
    ],
)
def test_every_outcome(written: str, outcome: str) -> None:
    got = parse(outcome=written, answered_at="", agent="")
    assert (got.outcome, got.answered, got.talk_s) == (outcome, None, None)
    assert got.wait_s == got.duration_s == 312


def test_an_outbound_call_is_to_its_customer() -> None:
    got = parse(direction="Outbound", **{"from": "+49 30 555000", "to": "030 7654321"})
    assert (got.direction, got.customer, got.line) == ("outbound", "030 7654321", "+49 30 555000")


def test_columns_in_any_order_any_case_and_unknown_ones_ignored() -> None:
    header = "\ufeffOutcome, TO ,from,notes,ended_at,started_at,direction,Call_ID"
    columns = Columns.of(header.split(","))
    row = ["busy", "+49 30 555000", "+4930123456", "hi", "2026-12-01 09:00:03"]
    got = columns.parse([*row, "2026-12-01 09:00:00", "inbound", "c-9"], BERLIN)
    assert (got.call_id, got.outcome, got.customer, got.duration_s) == (
        "c-9",
        "busy",
        "+4930123456",
        3,
    )
    assert got.started == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # no offset: --timezone


def test_a_header_without_a_required_column_is_refused() -> None:
    with pytest.raises(BadHeader, match="outcome"):
        Columns.of(["call_id", "direction", "from", "to", "started_at", "ended_at"])


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"call_id": ""}, "no_call_id"),
        ({"direction": "sideways"}, "bad_direction"),
        ({"outcome": "exploded"}, "bad_outcome"),
        ({"outcome": ""}, "bad_outcome"),
        ({"started_at": "yesterday"}, "bad_timestamp"),
        ({"ended_at": ""}, "bad_timestamp"),
        ({"ended_at": "2026-12-01T07:00:00+00:00"}, "bad_timestamp"),  # before the start
        ({"answered_at": "2026-12-01T10:00:00+01:00"}, "bad_timestamp"),  # after the end
    ],
)
def test_bad_rows_say_why(changes: dict[str, str], reason: str) -> None:
    with pytest.raises(BadRow) as caught:
        parse(**changes)
    assert caught.value.reason == reason


def test_a_row_of_another_width_is_bad() -> None:
    columns = Columns.of(HEADER.split(","))
    with pytest.raises(BadRow) as caught:
        columns.parse(["c-1", "inbound"], BERLIN)
    assert caught.value.reason == "column_count"
