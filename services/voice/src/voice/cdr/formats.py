"""The file's rows, parsed by its format: each row with what it is (a call record, an internal
call to skip, or a bad row and why)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import tzinfo
from typing import Literal

from voice.cdr import asterisk
from voice.cdr.fold import folded
from voice.cdr.generic import BadHeader, Columns
from voice.cdr.reader import Row, Unreadable
from voice.cdr.record import BadRow, Parsed, Read

Format = Literal["asterisk", "csv"]


def parsed_rows(
    fmt: Format, rows: Iterable[Row | Unreadable], zone: tzinfo, region: str | None
) -> Iterator[Read]:
    """Each row parsed; for ``csv`` the first row is the header (BadHeader when unusable);
    Asterisk rows of one call folded into one (``fold``)."""
    reads = _parsed(fmt, rows, zone, region)
    return folded(reads) if fmt == "asterisk" else reads


def _parsed(
    fmt: Format, rows: Iterable[Row | Unreadable], zone: tzinfo, region: str | None
) -> Iterator[Read]:
    source = iter(rows)
    columns = _header(next(source, None)) if fmt == "csv" else None
    for row in source:
        if isinstance(row, Unreadable):
            yield Read(row.line, row.raw, row.done, BadRow("not_csv", row.detail))
            continue
        try:
            parsed: Parsed = (
                columns.parse(row.fields, zone)
                if columns
                else asterisk.parse(row.fields, zone, region)
            )
        except BadRow as bad:
            parsed = bad
        yield Read(row.line, row.raw, row.done, parsed)


def _header(first: Row | Unreadable | None) -> Columns:
    if first is None:
        raise BadHeader("the file is empty: a csv import needs a header row")
    if isinstance(first, Unreadable):
        raise BadHeader(f"the header row is unreadable: {first.detail}")
    return Columns.of(first.fields)
