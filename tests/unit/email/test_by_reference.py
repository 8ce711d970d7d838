"""Parts past the byte limit are kept by reference to the raw message (never dropped), and the
unifier reads that part back: on every mail with attachments in the mikel/mail corpus, the
section the edge names decodes (``unifier.domain.message_files.part_bytes``, the standard
library's parser) to the bytes the edge stores when the part fits — exactly for encoded
parts; text parts up to the line break before the boundary, which the parsers split
differently."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from email_ingest.attachments import Limits
from email_ingest.normalize import MailboxConfig, Normalized, normalize
from hotline import events
from hotline.blobs import blob_ref
from hotline.kafka.errors import PermanentError
from tests.unit.email.test_corpus import MAILS
from unifier.domain.message_files import part_bytes

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
NOTHING_FITS = MailboxConfig(limits=Limits(max_total_bytes=-1))  # not even an empty part


def by_reference(raw: bytes) -> list[events.AttachmentRef] | None:
    try:
        out: Normalized = normalize(raw, NOTHING_FITS, NOW)
    except PermanentError:
        return None  # dead-lettered mails carry no attachments
    event = out.events[0]
    assert isinstance(event, events.MessageReceived)
    if event.attachments:
        assert out.blobs[blob_ref(raw)] == raw  # the raw message, stored whole
        assert event.flags.attachments_truncated
    return event.attachments


def stored(raw: bytes) -> tuple[list[events.AttachmentRef], dict[str, bytes]]:
    out = normalize(raw, MailboxConfig(), NOW)
    event = out.events[0]
    assert isinstance(event, events.MessageReceived)
    return event.attachments, out.blobs


def lines(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").rstrip(b"\n")


def test_every_corpus_attachment_reads_back_from_the_raw_message(corpora: Path) -> None:
    checked = exact = 0
    for path in sorted((corpora / MAILS).rglob("*.eml")):
        raw = path.read_bytes()
        kept = by_reference(raw) or []
        whole, blobs = stored(raw) if kept else ([], {})
        for a, ours in zip(kept, whole, strict=True):
            assert (a.ref, a.part is not None) == (blob_ref(raw), True), path.name
            assert (a.size, a.sha256) == (ours.size, ours.sha256), path.name
            data = part_bytes(raw, a.part or "")
            assert data is not None, (path.name, a.part)
            if a.mime_type.startswith("message/"):
                continue  # re-serialized by the standard library, not byte for byte
            same = hashlib.sha256(data).hexdigest() == a.sha256
            assert same or lines(data) == lines(blobs[ours.ref]), (path.name, a.part)
            checked, exact = checked + 1, exact + same
    assert checked >= 20 and exact >= 10, (checked, exact)


def test_what_fits_is_stored_and_the_rest_kept_by_reference() -> None:
    big, small = b"%PDF-1.4 " + bytes(range(256)) * 40, b"small file"
    raw = (
        b"From: a@example.test\r\nTo: help@example.test\r\nSubject: files\r\n"
        b"Message-ID: <by-ref@example.test>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
        b"--b\r\nContent-Type: application/octet-stream\r\n"
        b'Content-Disposition: attachment; filename="small.bin"\r\n\r\n' + small + b"\r\n"
        b"--b\r\nContent-Type: multipart/mixed; boundary=c\r\n\r\n"
        b"--c\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
        b'Content-Disposition: attachment; filename="big.pdf"\r\n\r\n'
        + __import__("base64").encodebytes(big).replace(b"\n", b"\r\n")
        + b"--c--\r\n--b--\r\n"
    )
    out = normalize(raw, MailboxConfig(limits=Limits(max_total_bytes=1000)), NOW)
    event = out.events[0]
    assert isinstance(event, events.MessageReceived)
    kept = [(a.filename, a.ref, a.part, a.size) for a in event.attachments]
    assert kept == [
        ("small.bin", blob_ref(small), None, len(small)),
        ("big.pdf", blob_ref(raw), "3.1", len(big)),
    ]
    assert out.blobs[blob_ref(small)] == small and out.blobs[blob_ref(raw)] == raw
    assert blob_ref(big) not in out.blobs  # not stored twice
    assert part_bytes(raw, "3.1") == big
    assert event.flags.attachments_truncated


@pytest.mark.parametrize("section", ["4", "3.2", "1.1", "x", "0", ""])
def test_a_section_the_message_does_not_have_is_none(section: str) -> None:
    raw = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\none\r\n--b--\r\n"
    assert part_bytes(raw, section) is None
    assert part_bytes(b"Subject: one part\r\n\r\nbody", "1") == b"body"
