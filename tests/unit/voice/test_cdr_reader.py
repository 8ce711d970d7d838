"""Reading a CDR file as a stream of rows: quoted fields with commas, doubled quotes and line
breaks; the line each row starts on; its bytes as in the file; blank lines; rows the csv module
cannot read, after which reading goes on; and the fixture files end to end (both formats)."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from voice.cdr.formats import parsed_rows
from voice.cdr.generic import BadHeader
from voice.cdr.reader import CHUNK, FIELD_LIMIT, Row, Unreadable, rows
from voice.cdr.record import BadRow, CallRecord, Skipped

FIXTURES = Path(__file__).parents[2] / "fixtures" / "voice" / "cdr"


def read(tmp_path: Path, data: bytes) -> list[Row | Unreadable]:
    path = tmp_path / "Master.csv"
    path.write_bytes(data)
    return list(rows(path))


def test_quoted_fields_keep_commas_quotes_and_line_breaks(tmp_path: Path) -> None:
    data = b'"a","""Lopez, Maria"" <+4930123>",3\n"b","two\nlines, and a comma",4\r\nc,plain,5'
    got = read(tmp_path, data)
    assert [r.fields for r in got if isinstance(r, Row)] == [
        ["a", '"Lopez, Maria" <+4930123>', "3"],
        ["b", "two\nlines, and a comma", "4"],
        ["c", "plain", "5"],
    ]
    assert [r.line for r in got] == [1, 2, 4]
    assert b"".join(r.raw for r in got) == data  # each row's bytes, exactly as in the file
    assert got[-1].done == len(data)


def test_blank_lines_are_no_rows_and_still_count_as_lines(tmp_path: Path) -> None:
    got = read(tmp_path, b"a,1\n\n , \nb,2\n")
    assert [(r.line, r.fields) for r in got if isinstance(r, Row)] == [
        (1, ["a", "1"]),
        (4, ["b", "2"]),
    ]


@pytest.mark.parametrize(
    "bad",
    [
        b'"unterminated "quote,x\n',  # a quote inside a quoted field, not doubled
        b"nul\x00byte,x\n",
    ],
)
def test_an_unreadable_row_is_reported_and_reading_goes_on(tmp_path: Path, bad: bytes) -> None:
    got = read(tmp_path, b"a,1\n" + bad + b"b,2\n")
    assert isinstance(got[1], Unreadable) and got[1].line == 2 and got[1].detail
    assert isinstance(got[2], Row) and (got[2].line, got[2].fields) == (3, ["b", "2"])


def test_a_runaway_quote_stops_at_the_field_limit_not_at_the_end_of_memory(
    tmp_path: Path,
) -> None:
    lines = b"".join(b"x" * 1000 + b"\n" for _ in range(2 * FIELD_LIMIT // 1000))
    got = read(tmp_path, b'a,"never closed\n' + lines)
    assert isinstance(got[0], Unreadable) and "field larger" in got[0].detail


def test_a_huge_line_is_read_in_pieces_and_reported(tmp_path: Path) -> None:
    data = b"a," + b"x" * (3 * CHUNK) + b"\nb,2\n"
    bad, after = read(tmp_path, data)
    assert isinstance(bad, Unreadable) and bad.line == 1 and "field larger" in bad.detail
    assert len(bad.raw) <= CHUNK  # what the dead letter keeps; the rest of the line is dropped
    assert isinstance(after, Row) and (after.line, after.fields) == (2, ["b", "2"])
    assert after.done == len(data)


def test_invalid_utf8_is_replaced_not_fatal(tmp_path: Path) -> None:
    got = read(tmp_path, b"a,Jos\xe9\n")
    assert isinstance(got[0], Row) and got[0].fields == ["a", "Jos\ufffd"]


def test_the_asterisk_fixture_row_by_row() -> None:
    reads = list(parsed_rows("asterisk", rows(FIXTURES / "Master.csv"), ZoneInfo("UTC"), "DE"))
    kinds = {
        r.line: r.parsed.reason if isinstance(r.parsed, BadRow | Skipped) else r.parsed.outcome
        for r in reads
    }
    assert kinds == {
        1: "completed",
        2: "no_answer",
        3: "busy",
        4: "failed",
        5: "failed",
        6: "abandoned",
        7: "voicemail",
        8: "completed",
        9: "internal_call",
        10: "unknown_disposition",
        11: "column_count",
        12: "bad_timestamp",
        14: "completed",  # 21 columns, a userfield with a comma and a line break
        16: "same_call",  # the uniqueid of line 1 again: folded into it
        17: "bad_duration",
        18: "not_csv",
    }


def test_the_generic_fixture_row_by_row() -> None:
    reads = list(parsed_rows("csv", rows(FIXTURES / "calls.csv"), ZoneInfo("Europe/Berlin"), "DE"))
    first = reads[0].parsed
    assert isinstance(first, CallRecord) and first.customer_name == "Lopez, Maria"
    kinds = [r.parsed.reason if isinstance(r.parsed, BadRow) else r.parsed.outcome for r in reads]  # type: ignore[union-attr]
    assert kinds == [
        "completed",
        "no_answer",
        "busy",
        "abandoned",
        "voicemail",
        "failed",
        "canceled",
        "bad_direction",
        "bad_timestamp",
        "bad_outcome",
        "column_count",
    ]
    assert [r.line for r in reads] == list(range(2, 13))  # line 1 is the header


@pytest.mark.parametrize(
    ("data", "match"),
    [(b"", "empty"), (b"a,b,c\n", "no call_id"), (b'"x\x00\n', "unreadable")],
)
def test_a_generic_file_without_a_usable_header(tmp_path: Path, data: bytes, match: str) -> None:
    path = tmp_path / "calls.csv"
    path.write_bytes(data)
    with pytest.raises(BadHeader, match=match):
        list(parsed_rows("csv", rows(path), ZoneInfo("UTC"), None))
