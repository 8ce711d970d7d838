"""Test archives written the way each mbox variant's writers write them (and Maildirs), from
mails given as bytes: the readers in ``email_ingest.archive`` must give those bytes back."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

SEPARATOR = b"From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n"
_FROM = re.compile(rb"^From ", re.M)
_ANY_FROM = re.compile(rb"^(>*From )", re.M)
_HEADER_END = re.compile(rb"\n(\r?\n)")  # the empty line after the header block


def quoted(raw: bytes, variant: str) -> bytes:
    if variant in ("mboxo", "mboxcl"):
        return _FROM.sub(b">From ", raw)
    if variant == "mboxrd":
        return _ANY_FROM.sub(rb">\1", raw)
    return raw


def stored(raw: bytes, variant: str) -> tuple[bytes, bytes]:
    """(the message as a reader of ``variant`` must give it back, its entry in the file).

    The writer adds a final newline when the mail lacks one and, for mboxcl/mboxcl2, a
    ``Content-Length`` header (of the quoted body) which then is part of the stored message;
    the entry is the separator, the quoted message and the empty line that ends it."""
    message = raw if raw.endswith(b"\n") else raw + b"\n"
    entry = quoted(message, variant)
    end = _HEADER_END.search(entry)
    if variant in ("mboxcl", "mboxcl2") and end:  # no empty line, no body: no Content-Length
        length = f"Content-Length: {len(entry) - end.end()}\n".encode()
        message, entry = (_with_header(b, length) for b in (message, entry))
    return message, SEPARATOR + entry + b"\n"


def _with_header(message: bytes, line: bytes) -> bytes:
    end = _HEADER_END.search(message)
    assert end is not None
    return message[: end.start() + 1] + line + message[end.start() + 1 :]


def write_mbox(path: Path, mails: Iterable[bytes], variant: str = "mboxrd") -> list[bytes]:
    """Write the mails; return what reading them back must give."""
    back = []
    with path.open("wb") as f:
        for raw in mails:
            message, entry = stored(raw, variant)
            f.write(entry)
            back.append(message)
    return back


def write_maildir(root: Path, mails: Iterable[bytes], sub: str = "cur") -> Path:
    for folder in ("cur", "new", "tmp"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for i, raw in enumerate(mails):
        (root / sub / f"{1_700_000_000 + i}.M{i}P1.host:2,S").write_bytes(raw)
    return root


def corpus_mails(corpora: Path) -> list[bytes]:
    """The mikel/mail corpus's .eml files, read at test time (never copied into the repo)."""
    root = corpora / "mikel-mail" / "spec" / "fixtures" / "emails"
    return [p.read_bytes() for p in sorted(root.rglob("*.eml"))]


def poison(depth: int = 120) -> bytes:
    """A real-world attack shape the pipeline dead-letters: MIME nested past its depth cap."""
    head = b"From: evil@example.test\nSubject: nest\nMessage-ID: <nest@example.test>\n"
    parts = [head]
    for i in range(depth):
        parts.append(f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n'.encode())
    parts.append(b"Content-Type: text/plain\n\ndeep\n")
    parts.extend(f"--b{i}--\n".encode() for i in reversed(range(depth)))
    return b"".join(parts)
