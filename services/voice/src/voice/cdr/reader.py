"""A CSV file read as a stream of rows: never more than one row in memory, each with the line
it starts on (for the summary), its bytes as they are in the file (a dead letter carries them)
and how far the file has been read (the progress bar). A quoted field may hold commas, quotes
(doubled) and line breaks; a row the csv module cannot read (a NUL byte, a stray quote, an
unterminated quote running past the field size limit) comes out as ``Unreadable``, and
reading goes on after it."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

FIELD_LIMIT = 64 * 1024  # one field at most; a runaway quote fails here, not in memory
CHUNK = 1024 * 1024  # a line longer than this (no line breaks: not a CDR) is read in pieces


@dataclass(frozen=True, slots=True)
class Row:
    line: int  # 1-based: the line the row starts on
    fields: list[str]
    raw: bytes
    done: int  # bytes of the file read so far


@dataclass(frozen=True, slots=True)
class Unreadable:
    line: int
    detail: str
    raw: bytes
    done: int


class _Lines:
    """The file's lines, decoded, keeping the bytes taken since the last row; ``count`` is the
    number of whole lines read."""

    def __init__(self, f: BinaryIO) -> None:
        self.f, self.taken, self.done, self.count = f, bytearray(), 0, 0
        self.open_line = False  # the last piece read is not the end of its line

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        raw = self._piece()
        if not raw:
            raise StopIteration
        self.taken += raw
        return raw.decode("utf-8", "replace")

    def _piece(self) -> bytes:
        raw = self.f.readline(CHUNK)
        self.done += len(raw)
        self.open_line = not raw.endswith(b"\n") and bool(raw)
        self.count += not self.open_line and bool(raw)
        return raw

    def skip_line(self) -> None:
        """After an unreadable row: the rest of its line, read in pieces and dropped."""
        while self.open_line and self._piece():
            pass

    def take(self) -> bytes:
        raw = bytes(self.taken)
        self.taken.clear()
        return raw


def rows(path: Path) -> Iterator[Row | Unreadable]:
    """Every non-blank row of the file at ``path``, in order."""
    csv.field_size_limit(FIELD_LIMIT)
    with path.open("rb") as f:
        lines = _Lines(f)
        reader = csv.reader(lines, strict=True)
        while True:
            start = lines.count + 1
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                lines.skip_line()
                yield Unreadable(start, f"not CSV: {exc}", lines.take(), lines.done)
                continue
            raw = lines.take()
            if b"\x00" in raw:  # binary garbage, not text: no field of a CDR holds a NUL
                yield Unreadable(start, "not CSV: a NUL byte", raw, lines.done)
            elif fields and any(f.strip() for f in fields):
                yield Row(start, fields, raw, lines.done)
