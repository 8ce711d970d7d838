"""The history importer on an in-memory publisher: what it publishes and dead-letters through
the mailroom, how it counts, the ledger that makes a re-import publish nothing, dry runs, and a
broker outage that stops the import where a second run resumes."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import pytest

from email_ingest.archive import StoredMail
from email_ingest.history import ImportAborted, Importer
from email_ingest.mailroom import Mailroom
from email_ingest.normalize import MailboxConfig
from hotline import events
from hotline.blobs import LocalBlobStore
from hotline.imports import Ledger
from hotline.intake import MemoryPublisher
from hotline.topics import INBOUND_EMAIL
from tests.mail_archives import poison

TENANT = "acme"
NO_ID = b"From: kim@example.test\nSubject: no id\n\nHello without a Message-ID\n"


def mail(n: int) -> bytes:
    return f"From: jo{n}@example.test\nSubject: {n}\nMessage-ID: <m{n}@x>\n\nHello {n}\n".encode()


def archive() -> list[StoredMail]:
    raws: list[bytes | None] = [mail(1), mail(2), mail(1), poison(), None, NO_ID, NO_ID, mail(3)]
    return [StoredMail(raw, f"#{i}", i + 1) for i, raw in enumerate(raws)]


def room(publisher: MemoryPublisher, tmp_path: Path) -> Mailroom:
    blobs = LocalBlobStore(tmp_path / "blobs")
    return Mailroom(publisher, blobs, MailboxConfig(tenant=TENANT), INBOUND_EMAIL)


async def run(
    publisher: MemoryPublisher, tmp_path: Path, mails: Sequence[StoredMail], **kw: object
) -> Importer:
    ledger = Ledger(tmp_path / "ledger.ids")
    importer = Importer(room(publisher, tmp_path), ledger, **kw)  # type: ignore[arg-type]
    await importer.run(mails)
    return importer


def expected_ids() -> list[str]:
    provider_ids = ["<m1@x>", "<m2@x>", "sha256:" + hashlib.sha256(NO_ID).hexdigest(), "<m3@x>"]
    return [events.event_id_for(TENANT, "email", p, "message") for p in provider_ids]


@pytest.mark.parametrize("batch", [1, 3, 64])  # a repeat after its first copy was acked, or not
async def test_an_archive_is_published_counted_and_its_poison_dead_lettered(
    tmp_path: Path, batch: int
) -> None:
    publisher = MemoryPublisher()
    tally = (await run(publisher, tmp_path, archive(), batch=batch)).tally
    got = publisher.events_on(INBOUND_EMAIL)
    assert sorted(e.event_id for e in got) == sorted(expected_ids())
    assert {e.tenant for e in got} == {TENANT}
    assert [letter.reason for letter in publisher.letters] == ["mime_too_deep"]
    assert publisher.letters[0].value == poison()
    assert (tally.imported, tally.duplicates, tally.too_large) == (4, 2, 1)
    assert dict(tally.dead_lettered) == {"mime_too_deep": 1}
    assert tally.examples == {"mime_too_deep": "#3", "skipped:too_large": "#4"}
    assert tally.seen == len(archive())


async def test_a_second_run_with_the_ledger_publishes_nothing(tmp_path: Path) -> None:
    await run(MemoryPublisher(), tmp_path, archive())
    again = MemoryPublisher()
    tally = (await run(again, tmp_path, archive())).tally
    assert again.calls == 0
    assert tally.already_seen == 7  # every mail read, repeats included: the ledger comes first
    assert (tally.imported, tally.duplicates, sum(tally.dead_lettered.values())) == (0, 0, 0)


async def test_without_the_ledger_the_same_ids_are_published_again(tmp_path: Path) -> None:
    first, second = MemoryPublisher(), MemoryPublisher()
    await run(first, tmp_path / "a", archive())
    await run(second, tmp_path / "b", archive())  # another ledger: ids alone must match
    ids = [sorted(e.event_id for e in p.events_on(INBOUND_EMAIL)) for p in (first, second)]
    assert ids[0] == ids[1] == sorted(expected_ids())


async def test_a_dry_run_counts_the_same_and_touches_nothing(tmp_path: Path) -> None:
    publisher = MemoryPublisher(down=True)  # any publish attempt would be seen
    tally = (await run(publisher, tmp_path, archive(), dry_run=True)).tally
    assert publisher.calls == 0
    assert not (tmp_path / "ledger.ids").exists() and not (tmp_path / "blobs").exists()
    assert (tally.imported, tally.duplicates, tally.too_large) == (4, 2, 1)
    assert dict(tally.dead_lettered) == {"mime_too_deep": 1}


class FailingAfter(MemoryPublisher):
    """Acks the first ``ok`` publishes, then behaves like a broker that went away."""

    def __init__(self, ok: int) -> None:
        super().__init__()
        self.ok = ok

    async def publish(self, evts: Sequence[events.Event], topic: str | None = None) -> None:
        self.down = self.calls >= self.ok
        await super().publish(evts, topic)


async def test_a_broker_outage_stops_the_import_and_a_second_run_resumes(tmp_path: Path) -> None:
    mails = [StoredMail(mail(n), f"#{n}", n) for n in range(1, 7)]
    with pytest.raises(ImportAborted) as stopped:
        await run(FailingAfter(ok=2), tmp_path, mails, batch=2)
    assert stopped.value.tally.imported == 2
    assert len(Ledger(tmp_path / "ledger.ids").markers) == 2
    resumed = MemoryPublisher()
    tally = (await run(resumed, tmp_path, mails, batch=2)).tally
    assert (tally.already_seen, tally.imported) == (2, 4)
    assert len(resumed.events_on(INBOUND_EMAIL)) == 4
