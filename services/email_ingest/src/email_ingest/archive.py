"""Mail archives as a stream of raw messages: mbox (mboxo, mboxrd, mboxcl, mboxcl2) and Maildir.

A small streaming splitter of our own rather than the stdlib ``mailbox`` module: ``mailbox.mbox``
reads the whole file once to build a table of contents before the first message and then again
per message, splits at every line that starts with "From " (no empty line before it needed),
never undoes ">From " quoting and ignores ``Content-Length``. Here the file is read once, line
by line (or ``Content-Length`` bytes at a time), so memory holds one message, and a message
over ``max_bytes`` is skipped without being held at all, whatever the archive's size.

mbox reading rules (qmail's mbox(5), RFC 4155):

- a message starts at a line beginning "From " that is the file's first line, follows an
  empty line, or is a whole envelope line (``From <sender> <asctime date>``, as mutt checks:
  some writers leave out the empty line); that separator line is not part of the message, nor
  is the one empty line that ends the message before the next separator (or the end);
- mboxo and mboxcl: a line ">From " loses its ">" (lossy by design of the format: an original
  ">From " comes out as "From "); mboxrd: a line ">>…>From " loses exactly one ">"; mboxcl2:
  nothing is unquoted;
- mboxcl and mboxcl2: a ``Content-Length: N`` header is trusted when the N body bytes are
  followed by the end of the file or by the next separator (an empty line between allowed);
  otherwise (missing, or a lie) the message ends at the next separator as in mboxo.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

Variant = Literal["mboxrd", "mboxo", "mboxcl", "mboxcl2"]
VARIANTS: tuple[Variant, ...] = ("mboxrd", "mboxo", "mboxcl", "mboxcl2")
_BLANK = (b"\n", b"\r\n")
LINE_CHUNK = 1024 * 1024
_SEPARATOR = b"From "
_CONTENT_LENGTH = re.compile(rb"^content-length:[ \t]*(\d{1,15})[ \t]*\r?$", re.I | re.M)
_DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_ENVELOPE = re.compile(rf"From \S+ +{_DAY} +{_MONTH} +\d{{1,2}} +\d\d:\d\d(?::\d\d)? ".encode())
_FROM_QUOTED = re.compile(rb"^>From ", re.M)
_RD_QUOTED = re.compile(rb"^>(>*From )", re.M)


class NotAnArchive(ValueError):
    """The path is not an archive of the kind asked for (nothing is imported)."""


@dataclass(frozen=True)
class StoredMail:
    """One message of an archive: ``raw`` is None when it is over ``max_bytes`` (not read)."""

    raw: bytes | None
    where: str  # "offset <n>" in an mbox, the file name in a Maildir
    done: int  # progress: bytes of the mbox read so far, or Maildir files read so far


def unquote(body: bytes, variant: Variant) -> bytes:
    if variant in ("mboxo", "mboxcl"):
        return _FROM_QUOTED.sub(b"From ", body)
    if variant == "mboxrd":
        return _RD_QUOTED.sub(rb"\1", body)
    return body


def mbox_messages(path: Path, variant: Variant, max_bytes: int) -> Iterator[StoredMail]:
    with path.open("rb") as f:
        yield from _Mbox(f, variant, max_bytes).messages()


class _Kept:
    """One message's lines up to the cap; past it only their size is counted."""

    def __init__(self, cap: int) -> None:
        self.parts: list[bytes] = []
        self.size, self.cap = 0, cap

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size <= self.cap:
            self.parts.append(chunk)
        else:
            self.parts.clear()

    def drop_final_blank(self) -> None:
        """The empty line that ends a message before a separator belongs to the format."""
        if self.parts and self.parts[-1] in _BLANK:
            self.size -= len(self.parts.pop())

    def message(self, variant: Variant) -> bytes | None:
        return None if self.size > self.cap else unquote(b"".join(self.parts), variant)


class _Mbox:
    def __init__(self, f: BinaryIO, variant: Variant, max_bytes: int) -> None:
        self.f, self.variant, self.max_bytes = f, variant, max_bytes
        self.pos = 0

    def _line(self) -> bytes:
        line = self.f.readline(LINE_CHUNK)  # bounded: a file without newlines is not read whole
        self.pos += len(line)
        return line

    def messages(self) -> Iterator[StoredMail]:
        line = self._line()
        while line in _BLANK:
            line = self._line()
        if line and not line.startswith(_SEPARATOR):
            raise NotAnArchive('not an mbox: the first line does not start with "From "')
        while line:
            start = self.pos - len(line)
            raw, line = self._one()
            yield StoredMail(raw, f"offset {start}", self.pos - len(line))

    def _one(self) -> tuple[bytes | None, bytes]:
        """One message after its separator: (its bytes or None, the next separator or b"")."""
        kept = _Kept(self.max_bytes)
        line = self._line()
        while line and line not in _BLANK:
            kept.add(line)
            line = self._line()
        kept.add(line)  # the empty line that ends the header block (b"" at the end of file)
        if self.variant in ("mboxcl", "mboxcl2"):
            n = _length_of(b"".join(kept.parts))
            if n is not None and (nxt := self._by_length(n, kept)) is not None:
                return kept.message(self.variant), nxt
        nxt = self._to_separator(kept, after_blank=line in _BLANK)
        return kept.message(self.variant), nxt

    def _by_length(self, n: int, kept: _Kept) -> bytes | None:
        """Take ``n`` body bytes if the next separator (or the end) follows them: return that
        separator (b"" at the end). Else rewind to the body's start and return None."""
        start, parts, size = self.pos, len(kept.parts), kept.size
        if kept.size + n > kept.cap:  # too big to keep: step over it
            whole = self.pos + n <= os.fstat(self.f.fileno()).st_size
            self.f.seek(n, os.SEEK_CUR)
            self.pos += n
            kept.size += n
        else:
            data = self.f.read(n)
            self.pos += len(data)
            whole = len(data) == n
            kept.add(data)
        nxt = self._line() if whole else b"?"
        if nxt in _BLANK:
            nxt = self._line()
        if whole and (not nxt or nxt.startswith(_SEPARATOR)):
            return nxt
        self.f.seek(start)
        self.pos = start
        del kept.parts[parts:]
        kept.size = size
        return None

    def _to_separator(self, kept: _Kept, after_blank: bool) -> bytes:
        line = self._line()
        while line and not (line.startswith(_SEPARATOR) and (after_blank or _ENVELOPE.match(line))):
            kept.add(line)
            after_blank = line in _BLANK
            line = self._line()
        kept.drop_final_blank()
        return line


def _length_of(head: bytes) -> int | None:
    m = _CONTENT_LENGTH.search(head)
    return int(m.group(1)) if m else None


def maildir_messages(root: Path, max_bytes: int) -> Iterator[StoredMail]:
    for done, path in enumerate(maildir_files(root), start=1):
        if path.stat().st_size > max_bytes:
            yield StoredMail(None, path.name, done)
        else:
            yield StoredMail(path.read_bytes(), path.name, done)


def maildir_files(root: Path) -> list[Path]:
    """The mails of one Maildir folder: ``cur/`` then ``new/``, each by file name (Maildir
    names begin with the delivery time). ``tmp/`` holds mail still being delivered and is
    skipped; Maildir++ subfolders (``.Sent``, ``.Archive``) are not descended into — a Sent
    folder holds our own replies, not customer mail: import a subfolder by naming it."""
    if not ((root / "cur").is_dir() and (root / "new").is_dir()):
        raise NotAnArchive(f"not a Maildir: {root} has no cur/ and new/ folders")
    files: list[Path] = []
    for sub in ("cur", "new"):
        found = [p for p in (root / sub).iterdir() if p.is_file() and not p.name.startswith(".")]
        files.extend(sorted(found, key=lambda p: p.name))
    return files
