"""The call importer on an in-memory publisher: what it publishes and dead-letters, how it
counts, the ledger that makes a re-import publish nothing, dry runs, and a broker outage that
stops the import where a second run resumes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hotline import events
from hotline.imports import Ledger
from hotline.intake import Intake, MemoryPublisher
from voice.cdr.calls import Line
from voice.cdr.formats import parsed_rows
from voice.cdr.importer import CallImporter, ImportAborted, Tally
from voice.cdr.reader import rows
from voice.cdr.record import Read

FIXTURES = Path(__file__).parents[2] / "fixtures" / "voice" / "cdr"
TOPIC = "hotline.inbound.voice"
LINE = Line("acme", "pbx", "DE")
CALLS, EVENTS = 9, 21  # Master.csv: nine customer calls, six of them answered by a person
BAD = {
    "unknown_disposition": 1,
    "column_count": 1,
    "bad_timestamp": 1,
    "bad_duration": 1,
    "not_csv": 1,
}


async def run(publisher: MemoryPublisher, ledger: Path, **kw: object) -> Tally:
    importer = CallImporter(Intake(publisher, topic=TOPIC), LINE, Ledger(ledger), TOPIC, **kw)  # type: ignore[arg-type]
    reads = parsed_rows("asterisk", rows(FIXTURES / "Master.csv"), ZoneInfo("UTC"), "DE")
    done: list[int] = []
    tally = await importer.run(reads, done.append)
    assert done == sorted(done) and done[-1] == (FIXTURES / "Master.csv").stat().st_size
    return tally


@pytest.mark.parametrize("batch", [1, 4, 500])
async def test_a_file_is_published_counted_and_its_bad_rows_dead_lettered(
    tmp_path: Path, batch: int
) -> None:
    publisher = MemoryPublisher()
    tally = await run(publisher, tmp_path / "ledger.ids", batch=batch)
    assert (tally.rows, tally.imported, tally.events) == (16, CALLS, EVENTS)
    assert tally.skipped == {"internal_call": 1, "same_call": 1}
    assert tally.first_at == {"internal_call": 9, "same_call": 16}
    assert tally.dead_lettered == BAD
    assert [(p.line, p.reason) for p in tally.bad_rows] == [
        (10, "unknown_disposition"),
        (11, "column_count"),
        (12, "bad_timestamp"),
        (17, "bad_duration"),
        (18, "not_csv"),
    ]
    published = publisher.events_on(TOPIC)
    assert len(published) == len({e.event_id for e in published}) == EVENTS
    assert all(
        isinstance(e, events.CallStarted | events.CallAnswered | events.CallEnded)
        for e in published
    )
    assert len({e.call_id for e in published}) == CALLS  # type: ignore[union-attr]
    letters = publisher.letters
    assert [letter.topic for letter in letters] == [TOPIC + ".dlq"] * 5
    assert [letter.reason for letter in letters] == [p.reason for p in tally.bad_rows]
    raw = (FIXTURES / "Master.csv").read_bytes().splitlines(keepends=True)
    assert letters[0].value == raw[9]  # line 10, byte for byte


async def test_a_reimport_with_the_ledger_publishes_nothing(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.ids"
    await run(MemoryPublisher(), ledger)
    again = MemoryPublisher()
    tally = await run(again, ledger)
    # every call and every dead letter are in the ledger
    assert (tally.imported, tally.events, tally.already_imported) == (0, 0, CALLS + 5)
    assert again.published == [] and again.letters == [] and again.calls == 0
    assert tally.skipped == {"internal_call": 1, "same_call": 1}


async def test_without_the_ledger_a_reimport_gives_the_same_ids(tmp_path: Path) -> None:
    first, second = MemoryPublisher(), MemoryPublisher()
    await run(first, tmp_path / "a.ids")
    await run(second, tmp_path / "b.ids")
    assert sorted(e.event_id for e in first.events_on(TOPIC)) == sorted(
        e.event_id for e in second.events_on(TOPIC)
    )


async def test_a_dry_run_publishes_and_records_nothing(tmp_path: Path) -> None:
    publisher, ledger = MemoryPublisher(), tmp_path / "ledger.ids"
    tally = await run(publisher, ledger, dry_run=True)
    assert (tally.imported, tally.events, tally.dead_lettered) == (CALLS, EVENTS, BAD)
    assert publisher.calls == 0 and not ledger.exists()


async def test_a_broker_outage_stops_the_import_and_a_second_run_resumes(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.ids"
    flaky = MemoryPublisher()
    calls = 0

    async def publish_then_fail(evts: object, topic: str | None = None) -> None:
        nonlocal calls
        calls += 1
        flaky.down = calls > 2  # two batches acked, then the broker goes away
        await MemoryPublisher.publish(flaky, evts, topic)  # type: ignore[arg-type]

    flaky.publish = publish_then_fail  # type: ignore[method-assign]
    with pytest.raises(ImportAborted) as stopped:
        await run(flaky, ledger, batch=2)
    acked = stopped.value.tally
    assert 0 < acked.imported < CALLS
    resumed = MemoryPublisher()
    tally = await run(resumed, ledger, batch=2)
    assert tally.already_imported == acked.imported + sum(acked.dead_lettered.values())
    assert tally.imported == CALLS - acked.imported
    ids = {e.event_id for e in flaky.events_on(TOPIC)} | {
        e.event_id for e in resumed.events_on(TOPIC)
    }
    assert len(ids) == EVENTS


async def test_rows_are_read_as_they_are_published_not_all_first(tmp_path: Path) -> None:
    """Streaming: when a batch is published, only that batch's rows have been read (the
    generic format: Asterisk rows wait for their call's other rows, test_cdr_fold)."""
    publisher, read_so_far, seen_at_publish = MemoryPublisher(), [0], []
    real_publish = publisher.publish

    async def publish(evts: object, topic: str | None = None) -> None:
        seen_at_publish.append(read_so_far[0])
        await real_publish(evts, topic)  # type: ignore[arg-type]

    publisher.publish = publish  # type: ignore[method-assign]
    reads = parsed_rows("csv", rows(FIXTURES / "calls.csv"), ZoneInfo("UTC"), "DE")

    def counted() -> Iterator[Read]:
        for read in reads:
            read_so_far[0] += 1
            yield read

    importer = CallImporter(Intake(publisher, topic=TOPIC), LINE, Ledger(None), TOPIC, batch=3)
    await importer.run(counted(), lambda done: None)
    assert seen_at_publish == [3, 6, 9]  # calls 1-3, 4-6, then call 7 and two bad rows
