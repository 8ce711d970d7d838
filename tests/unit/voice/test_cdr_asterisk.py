"""Asterisk Master.csv rows (as the csv module reads them) into call records: every
disposition, the direction rule, the optional columns, and every way a row can be bad."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from voice.cdr import asterisk
from voice.cdr.record import BadRow, CallRecord, Skipped

BERLIN = ZoneInfo("Europe/Berlin")
INBOUND = {
    "accountcode": "",
    "src": "+4930123456789",
    "dst": "200",
    "dcontext": "from-pstn",
    "clid": '"Lopez, Maria" <+4930123456789>',
    "channel": "SIP/trunk-00000001",
    "dstchannel": "SIP/201-0000002a",
    "lastapp": "Dial",
    "lastdata": "SIP/201,30,tT",
    "start": "2026-12-01 09:00:00",
    "answer": "2026-12-01 09:00:12",
    "end": "2026-12-01 09:05:12",
    "duration": "312",
    "billsec": "300",
    "disposition": "ANSWERED",
    "amaflags": "DOCUMENTATION",
    "uniqueid": "1764579600.1",
    "userfield": "",
}
UNANSWERED = {"answer": "", "billsec": "0", "duration": "20", "end": "2026-12-01 09:00:20"}


def fields(**changes: str) -> list[str]:
    return list({**INBOUND, **changes}.values())


def parse(row: list[str], region: str | None = "DE") -> CallRecord | Skipped:
    return asterisk.parse(row, BERLIN, region)


def record(row: list[str], region: str | None = "DE") -> CallRecord:
    got = parse(row, region)
    assert isinstance(got, CallRecord)
    return got


def test_an_answered_inbound_call() -> None:
    got = record(fields())
    assert got == CallRecord(
        call_id="1764579600.1",
        direction="inbound",
        customer="+4930123456789",
        line="200",
        started=datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
        ended=datetime(2026, 12, 1, 8, 5, 12, tzinfo=UTC),
        outcome="completed",
        duration_s=312,
        wait_s=12,
        answered=datetime(2026, 12, 1, 8, 0, 12, tzinfo=UTC),
        talk_s=300,
        answered_by="SIP/201",
        queue=None,
        cause="ANSWERED",
        customer_name="Lopez, Maria",
    )


@pytest.mark.parametrize(
    ("changes", "outcome", "cause"),
    [
        ({}, "completed", "ANSWERED"),
        ({"disposition": "NO ANSWER", **UNANSWERED}, "no_answer", "NO ANSWER"),
        ({"disposition": "no answer", **UNANSWERED}, "no_answer", "NO ANSWER"),
        ({"disposition": "BUSY", **UNANSWERED}, "busy", "BUSY"),
        ({"disposition": "FAILED", **UNANSWERED}, "failed", "FAILED"),
        ({"disposition": "CONGESTION", **UNANSWERED}, "failed", "CONGESTION"),
        (
            {"disposition": "NO ANSWER", "lastapp": "Queue", "lastdata": "support-de,t,,,300"}
            | UNANSWERED,
            "abandoned",
            "NO ANSWER",
        ),
        ({"lastapp": "VoiceMail", "lastdata": "200@default,u"}, "voicemail", "ANSWERED"),
        (
            {"disposition": "NO ANSWER", "lastapp": "VoiceMail", **UNANSWERED},
            "voicemail",
            "NO ANSWER",
        ),
    ],
)
def test_every_disposition_has_its_outcome(
    changes: dict[str, str], outcome: str, cause: str
) -> None:
    got = record(fields(**changes))
    assert got.outcome == outcome
    assert got.cause == cause
    person = outcome == "completed"
    assert (got.answered is not None, got.talk_s is not None, bool(got.answered_by)) == (
        person,
        person,
        person,
    )
    assert got.wait_s == got.duration_s - int(dict(INBOUND, **changes)["billsec"])


def test_a_queue_call_names_its_queue() -> None:
    got = record(fields(lastapp="Queue", lastdata="support-de,t,,,300", dstchannel=""))
    assert got.queue == "support-de" and got.answered_by == "200"  # no device: the dst


@pytest.mark.parametrize(
    ("src", "dst", "context", "direction", "customer", "line"),
    [
        ("+4930123456789", "200", "from-pstn", "inbound", "+4930123456789", "200"),
        ("0301234567", "200", "ext-queues", "inbound", "0301234567", "200"),  # national, DE
        ("030/1234567", "200", "default", "inbound", "030/1234567", "200"),
        ("201", "004930555000111", "from-internal", "outbound", "004930555000111", "201"),
        ("201", "+44 20 7946 0958", "from-internal", "outbound", "+44 20 7946 0958", "201"),
        ("anonymous", "200", "from-pstn", "inbound", "anonymous", "200"),
        ("", "200", "from-trunk", "inbound", "", "200"),
        ("", "200", "macro-from-did-direct", "inbound", "", "200"),
        ("anonymous", "support", "ext-queues", "inbound", "anonymous", "support"),  # channel
    ],
)
def test_the_direction_rule(
    src: str, dst: str, context: str, direction: str, customer: str, line: str
) -> None:
    got = record(fields(src=src, dst=dst, dcontext=context))
    assert (got.direction, got.customer, got.line) == (direction, customer, line)
    assert got.customer_name == ("Lopez, Maria" if direction == "inbound" else None)


@pytest.mark.parametrize(
    ("src", "dst", "context"),
    [
        ("201", "202", "from-internal"),
        ("201", "*97", "from-internal"),
        ("anonymous", "200", "from-internal"),  # withheld, but from an extension's channel
        ("", "200", "default"),
    ],
)
def test_calls_between_extensions_are_skipped(src: str, dst: str, context: str) -> None:
    got = parse(fields(src=src, dst=dst, dcontext=context, channel="SIP/201-0000000e"))
    assert isinstance(got, Skipped) and got.reason == "internal_call"


def test_without_a_region_only_international_numbers_are_outside() -> None:
    assert record(fields(src="+4930123456789"), region=None).direction == "inbound"
    assert isinstance(parse(fields(src="0301234567", dst="200"), region=None), Skipped)


@pytest.mark.parametrize("width", [16, 17, 18, 19, 20, 21])
def test_every_cdr_csv_layout_is_read(width: int) -> None:
    base = fields()[:16]
    extra = {
        16: [],
        17: ["u-17"],
        18: ["u-18", "note"],
        19: ["", "linked", "3"],
        20: ["u-20", "", "linked", "3"],
        21: ["u-21", "note", "", "linked", "3"],
    }[width]
    got = record(base + extra)
    if width in (16, 19):  # no uniqueid: known by the hash of its fields, the same every time
        assert got.call_id.startswith("sha256:") and got.call_id == record(base + extra).call_id
        assert got.call_id != record(fields(src="+4930999999")[:16] + extra).call_id
    else:
        assert got.call_id == f"u-{width}"


def test_times_without_offset_are_in_the_given_zone() -> None:
    got = asterisk.parse(fields(), UTC, "DE")
    assert isinstance(got, CallRecord)
    assert got.started == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_an_answered_row_without_answer_time_answered_at_its_start() -> None:
    got = record(fields(answer=""))
    assert got.answered == got.started


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (fields()[:15], "column_count"),
        ([*fields(), "", "", "", ""], "column_count"),
        ([], "column_count"),
        (fields(disposition="MAYBE"), "unknown_disposition"),
        (fields(disposition=""), "unknown_disposition"),
        (fields(start="yesterday"), "bad_timestamp"),
        (fields(end=""), "bad_timestamp"),
        (fields(answer="12:00"), "bad_timestamp"),
        (fields(duration="-5"), "bad_duration"),
        (fields(billsec="1.5"), "bad_duration"),
        (fields(duration="٣"), "bad_duration"),  # a digit, but not an ASCII one
        (fields(billsec="400"), "bad_duration"),  # talked longer than the call lasted
    ],
)
def test_bad_rows_say_why(row: list[str], reason: str) -> None:
    with pytest.raises(BadRow) as caught:
        parse(row)
    assert caught.value.reason == reason and caught.value.detail


@pytest.mark.parametrize(
    ("channel", "device"),
    [
        ("SIP/201-0000002a", "SIP/201"),
        ("PJSIP/agent-ana-00000014", "PJSIP/agent-ana"),
        ("Local/201@from-queue-00000001;1", "Local/201@from-queue-00000001;1"),
        ("DAHDI/1", "DAHDI/1"),
        ("", ""),
    ],
)
def test_the_answering_device(channel: str, device: str) -> None:
    assert asterisk.device(channel) == device


@pytest.mark.parametrize(
    ("clid", "name"),
    [
        ('"Lopez, Maria" <+4930123456789>', "Lopez, Maria"),
        ("Kim <0301234567>", "Kim"),
        ("<0301234567>", None),
        ("0301234567", None),
        ("", None),
    ],
)
def test_the_callers_name(clid: str, name: str | None) -> None:
    assert asterisk.caller_name(clid) == name
