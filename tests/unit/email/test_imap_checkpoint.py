"""The IMAP checkpoint file and the poller's reconciliation rules (no network)."""

from __future__ import annotations

from pathlib import Path

from email_ingest.imap import ImapConfig, ImapPoller, _uidvalidity
from email_ingest.imap_checkpoint import Checkpoint, CheckpointFile, Pending
from email_ingest.mailroom import Mailroom
from email_ingest.normalize import MailboxConfig
from hotline.blobs import MemoryBlobStore
from hotline.intake import MemoryPublisher


def poller(path: Path) -> ImapPoller:
    mailroom = Mailroom(MemoryPublisher(), MemoryBlobStore(), MailboxConfig(), "t")
    return ImapPoller(ImapConfig("h", 1, "u", "p", "127.0.0.1:1", path), mailroom)


def test_round_trip_and_missing_file(tmp_path: Path) -> None:
    store = CheckpointFile(tmp_path / "sub" / "cp.json")
    assert store.load() == Checkpoint()
    value = Checkpoint(7, 42, Pending(43, "topic", "event-id", "acme/email/<x@y>"))
    store.save(value)
    assert store.load() == value
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["cp.json"]  # no temp files left


async def test_uidvalidity_change_means_full_resync(tmp_path: Path) -> None:
    p = poller(tmp_path / "cp.json")
    p.store.save(Checkpoint(7, 42, Pending(43, "t", "e", "k")))
    assert await p._reconcile(8) == Checkpoint(8, 0)
    assert p.store.load() == Checkpoint(8, 0)


async def test_first_run_starts_at_uid_one(tmp_path: Path) -> None:
    p = poller(tmp_path / "cp.json")
    assert await p._reconcile(9) == Checkpoint(9, 0)


def test_uidvalidity_from_the_select_answer() -> None:
    lines = [b"FLAGS (\\Seen)", b"OK [UIDVALIDITY 1795546985] UIDs valid", b"Select completed"]
    assert _uidvalidity(lines) == 1795546985
