"""Rows of one Asterisk call folded into one call record: a queue call whose unanswered legs
come before the answered one is one answered call; nobody answered: the last state; a row
written twice is one call; a held call comes out once no more rows of it can come."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from voice.cdr.fold import WINDOW, folded, merge
from voice.cdr.record import BadRow, CallRecord, Read, Skipped

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
RANG = CallRecord(  # agent 1 rang, did not answer; written when the ringing stopped
    call_id="1764579600.1",
    direction="inbound",
    customer="+4930123456789",
    line="support",
    started=T0,
    ended=T0 + timedelta(seconds=15),
    outcome="no_answer",
    duration_s=15,
    wait_s=15,
    queue="support-de",
    cause="NO ANSWER",
)
ANSWERED = replace(  # agent 2 answered after 15 s, talked 5 minutes
    RANG,
    ended=T0 + timedelta(seconds=315),
    outcome="completed",
    duration_s=315,
    wait_s=15,
    answered=T0 + timedelta(seconds=15),
    talk_s=300,
    answered_by="SIP/202",
    queue=None,
    cause="ANSWERED",
)


def reads(*records: CallRecord | BadRow) -> list[Read]:
    return [Read(i + 1, b"row", (i + 1) * 10, r) for i, r in enumerate(records)]


def test_a_queue_call_with_an_unanswered_leg_first_is_one_answered_call() -> None:
    out = list(folded(reads(RANG, ANSWERED)))
    skipped, call = out
    assert skipped.line == 2 and skipped.parsed == Skipped("same_call", "folded into line 1")
    assert call.line == 1 and call.done == 20
    assert call.parsed == replace(ANSWERED, queue="support-de")  # the queue of the first leg


def test_nobody_answered_the_last_state_wins() -> None:
    abandoned = replace(RANG, ended=T0 + timedelta(seconds=94), outcome="abandoned", cause="Q")
    got = merge(RANG, abandoned)
    assert (got.outcome, got.cause, got.duration_s, got.wait_s) == ("abandoned", "Q", 94, 94)
    assert got.answered is None and got.talk_s is None
    assert merge(abandoned, RANG).outcome == "abandoned"  # by end time, not by order


def test_a_row_written_twice_is_one_call_not_twice_the_talk() -> None:
    assert merge(ANSWERED, ANSWERED) == ANSWERED


def test_a_transfer_keeps_the_first_answer_and_the_whole_span() -> None:
    second = replace(
        ANSWERED,
        started=T0 + timedelta(seconds=300),
        ended=T0 + timedelta(seconds=900),
        answered=T0 + timedelta(seconds=310),
        talk_s=590,
        answered_by="SIP/203",
    )
    got = merge(ANSWERED, second)
    assert (got.answered_by, got.answered, got.wait_s) == ("SIP/202", ANSWERED.answered, 15)
    assert (got.started, got.ended, got.duration_s, got.talk_s) == (T0, second.ended, 900, 590)


def test_a_call_comes_out_when_a_later_row_ends_a_window_after_it() -> None:
    later = replace(ANSWERED, call_id="2", started=T0 + WINDOW, ended=T0 + WINDOW + timedelta(1))
    bad = BadRow("bad_timestamp", "start 'x'")
    out = [(r.line, r.parsed) for r in folded(reads(RANG, bad, later))]
    assert out == [(2, bad), (1, RANG), (3, later)]  # bad rows pass straight through


def test_calls_come_out_in_the_order_of_their_first_row() -> None:
    other = replace(RANG, call_id="other", ended=T0 + timedelta(seconds=5))
    out = [r.parsed.call_id for r in folded(reads(RANG, other)) if isinstance(r.parsed, CallRecord)]
    assert out == [RANG.call_id, "other"]
