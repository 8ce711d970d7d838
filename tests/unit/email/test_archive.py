"""The archive splitters on every mbox variant and on Maildir: each gives back exactly the mails
its writers stored, reads once in bounded memory, and says clearly when a path is no archive."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from email_ingest.archive import (
    VARIANTS,
    NotAnArchive,
    Variant,
    maildir_files,
    maildir_messages,
    mbox_messages,
)
from tests.mail_archives import SEPARATOR, corpus_mails, write_maildir, write_mbox

CAP = 1024 * 1024


def mail(n: int, body: bytes = b"Hello\n") -> bytes:
    return f"From: jo{n}@example.test\nSubject: mail {n}\nMessage-ID: <m{n}@x>\n\n".encode() + body


# Bodies every writer must get through: "From " lines at each quoting depth, with and without
# an empty line before them (only after one is a "From " line a separator).
TRICKY = b"Hi\n\nFrom the start\n>From quoted\n>>From twice\nnot From\n\nFrom end\n"


def read(path: Path, variant: Variant = "mboxrd", cap: int = CAP) -> list[bytes | None]:
    return [m.raw for m in mbox_messages(path, variant, cap)]


@pytest.mark.parametrize("variant", VARIANTS)
def test_reversible_variants_give_back_what_was_written(tmp_path: Path, variant: Variant) -> None:
    mails = [mail(1, TRICKY), mail(2), mail(3, b"ends without newline")]
    if variant in ("mboxo", "mboxcl"):  # their quoting cannot keep an original ">From "
        mails[0] = mail(1, b"Hi\n\nFrom the start\nnot From\n\nFrom end\n")
    path = tmp_path / "a.mbox"
    back = write_mbox(path, mails, variant)
    assert read(path, variant) == back


def test_mboxo_unquotes_one_level_only_mboxrd_every_level(tmp_path: Path) -> None:
    path = tmp_path / "q.mbox"
    path.write_bytes(SEPARATOR + b"Subject: q\n\n>From a\n>>From b\n>>>From c\n\n")
    assert read(path, "mboxo") == [b"Subject: q\n\nFrom a\n>>From b\n>>>From c\n"]
    assert read(path, "mboxrd") == [b"Subject: q\n\nFrom a\n>From b\n>>From c\n"]
    assert read(path, "mboxcl2") == [b"Subject: q\n\n>From a\n>>From b\n>>>From c\n"]


def test_content_length_keeps_an_unquoted_from_line_inside_the_body(tmp_path: Path) -> None:
    body = b"Hi\n\nFrom here on, a body line\n"
    path = tmp_path / "cl.mbox"
    write_mbox(path, [mail(1, body), mail(2)], "mboxcl2")
    raws = read(path, "mboxcl2")
    assert len(raws) == 2 and raws[0] is not None and body in raws[0]
    # the same file read without trusting Content-Length splits at that line
    assert len(read(path, "mboxrd")) == 3


@pytest.mark.parametrize("length", [5, 10_000])  # too short: lands mid-body; too long: past EOF
def test_a_lying_content_length_falls_back_to_the_separators(tmp_path: Path, length: int) -> None:
    first = f"Subject: a\nContent-Length: {length}\n\nline one\nline two\n".encode()
    second = b"Subject: b\n\nbye\n"
    path = tmp_path / "lie.mbox"
    path.write_bytes(SEPARATOR + first + b"\n" + SEPARATOR + second + b"\n")
    assert read(path, "mboxcl2") == [first, second]


def test_envelope_lines_separate_without_an_empty_line_other_from_lines_do_not(
    tmp_path: Path,
) -> None:
    one = b"Subject: a\n\nhello\nFrom the desk of Jo\nbye\n"  # unquoted, no empty line before
    two = b"Subject: b\n\nbody b\n"
    three = b"Subject: c\n\nlast\n"
    path = tmp_path / "tight.mbox"
    envelope = b"From jo@example.test Tue Jan 01 00:00:00 +0000 2019\n"
    path.write_bytes(b"".join(envelope + m for m in (one, two, three)))
    assert read(path, "mboxcl2") == [one, two, three]


def test_crlf_archives_split_and_lose_only_the_format_lines(tmp_path: Path) -> None:
    one = b"Subject: a\r\n\r\nline\r\n"
    two = b"Subject: b\r\n\r\n>From x\r\n"
    path = tmp_path / "crlf.mbox"
    path.write_bytes(b"From a Thu\r\n" + one + b"\r\nFrom b Thu\r\n" + two + b"\r\n")
    assert read(path) == [one, b"Subject: b\r\n\r\nFrom x\r\n"]


def test_a_mail_over_the_cap_is_skipped_unread_and_the_next_one_still_comes(
    tmp_path: Path,
) -> None:
    big = mail(1, b"x" * 5000 + b"\n")
    for variant in ("mboxrd", "mboxcl2"):
        path = tmp_path / f"{variant}.mbox"
        back = write_mbox(path, [big, mail(2), big], variant)
        assert read(path, variant, cap=1000) == [None, back[1], None]


def test_offsets_and_progress_point_into_the_file(tmp_path: Path) -> None:
    path = tmp_path / "o.mbox"
    write_mbox(path, [mail(1), mail(2)])
    got = list(mbox_messages(path, "mboxrd", CAP))
    data = path.read_bytes()
    second = data.index(SEPARATOR, 1)
    assert [m.where for m in got] == ["offset 0", f"offset {second}"]
    assert [m.done for m in got] == [second, len(data)]


def test_not_an_mbox_is_refused_and_an_empty_file_has_no_mails(tmp_path: Path) -> None:
    eml = tmp_path / "one.eml"
    eml.write_bytes(mail(1))
    with pytest.raises(NotAnArchive, match="not an mbox"):
        read(eml)
    empty = tmp_path / "empty.mbox"
    empty.write_bytes(b"")
    assert read(empty) == []


def test_mbox_streams_in_bounded_memory(tmp_path: Path) -> None:
    body = (b"y" * 75 + b"\n") * 130  # ~10 KB a mail, 2,000 mails: ~20 MB of archive
    path = tmp_path / "big.mbox"
    write_mbox(path, (mail(i, body) for i in range(2000)))
    tracemalloc.start()
    try:
        count = sum(1 for m in mbox_messages(path, "mboxrd", CAP) if m.raw)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 2000
    assert peak < 2 * 1024 * 1024, f"peak {peak} B while reading a {path.stat().st_size} B file"


@pytest.mark.parametrize("variant", VARIANTS)
def test_an_mbox_of_real_mails_gives_each_back(
    tmp_path: Path, corpora: Path, variant: Variant
) -> None:
    mails = corpus_mails(corpora)
    if variant in ("mboxo", "mboxcl"):  # lossy for mails holding ">From " lines: leave them out
        mails = [m for m in mails if b"\n>From " not in m]
    assert len(mails) > 90
    path = tmp_path / "corpus.mbox"
    back = write_mbox(path, mails, variant)
    assert read(path, variant, cap=64 * CAP) == back


def test_maildir_reads_cur_then_new_by_name_and_skips_tmp(tmp_path: Path) -> None:
    root = write_maildir(tmp_path / "box", [mail(3), mail(1)], "cur")
    write_maildir(root, [mail(2)], "new")
    (root / "tmp" / "1.partial").write_bytes(b"half a mail")
    (root / "cur" / ".hidden").write_bytes(b"not a mail")
    got = list(maildir_messages(root, CAP))
    assert [m.raw for m in got] == [mail(3), mail(1), mail(2)]
    assert [m.done for m in got] == [1, 2, 3]
    assert [p.parent.name for p in maildir_files(root)] == ["cur", "cur", "new"]


def test_maildir_over_the_cap_and_not_a_maildir(tmp_path: Path) -> None:
    root = write_maildir(tmp_path / "box", [mail(1, b"z" * 5000), mail(2)])
    assert [m.raw for m in maildir_messages(root, 1000)] == [None, mail(2)]
    with pytest.raises(NotAnArchive, match="not a Maildir"):
        maildir_files(tmp_path)
