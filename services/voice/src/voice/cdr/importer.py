"""The call import: parsed rows through the shared intake, in batches.

Each batch's call events are published together (acks=all); a bad row is dead-lettered to the
voice topic's DLQ with its bytes and reason (it counts as handled, and the summary names its
line); an internal call is skipped. After a batch is acked the ledger records its markers (a
call's ``call.started`` event id; ``sha256:`` of a dead letter's bytes), so a second run skips
them as *already imported* and publishes nothing, and a run stopped by a broker outage resumes
where it stopped. Without the ledger a re-import publishes the same event ids again, which the
unifier drops. A call id earlier in the same file (and not folded into it, ``fold``) is
skipped as ``duplicate_call_id``.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from hotline.events import CallEvent
from hotline.imports import Ledger
from hotline.intake import Intake, Poison, Publish, Result
from voice.cdr.calls import Line, call_events
from voice.cdr.record import BadRow, Read, Skipped

SOURCE = "import:calls"
MAX_LISTED = 100  # bad rows listed by line in the summary; all of them are counted


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    reason: str
    detail: str


@dataclass
class Tally:
    rows: int = 0
    imported: int = 0  # calls whose events Kafka acked (or, in a dry run, would be published)
    events: int = 0
    already_imported: int = 0  # in the ledger: an earlier run had them acked
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> rows
    dead_lettered: Counter[str] = field(default_factory=Counter)  # reason -> rows
    bad_rows: list[Problem] = field(default_factory=list)  # the first MAX_LISTED
    first_at: dict[str, int] = field(default_factory=dict)  # skip reason -> its first line

    def bad(self, line: int, bad: BadRow) -> None:
        self.dead_lettered[bad.reason] += 1
        if len(self.bad_rows) < MAX_LISTED:
            self.bad_rows.append(Problem(line, bad.reason, bad.detail))

    def skip(self, line: int, reason: str) -> None:
        self.skipped[reason] += 1
        self.first_at.setdefault(reason, line)


class ImportAborted(RuntimeError):
    """Kafka did not ack: nothing after the last acked batch counts; run again to resume."""

    def __init__(self, detail: str, tally: Tally) -> None:
        super().__init__(detail)
        self.tally = tally


@dataclass
class _Batch:
    calls: list[tuple[str, list[CallEvent]]] = field(default_factory=list)
    letters: list[tuple[str, int, BadRow, Poison]] = field(default_factory=list)


class CallImporter:
    def __init__(
        self,
        intake: Intake,
        line: Line,
        ledger: Ledger,
        topic: str,
        *,
        dry_run: bool = False,
        batch: int = 2000,
    ) -> None:
        self.intake, self.line, self.ledger, self.topic = intake, line, ledger, topic
        self.dry_run, self.batch_size = dry_run, batch
        self.tally = Tally()
        self._this_run: set[str] = set()
        self._batch = _Batch()

    async def run(self, reads: Iterable[Read], progress: Callable[[int], None]) -> Tally:
        for read in reads:
            self.tally.rows += 1
            self._sort(read)
            if len(self._batch.calls) + len(self._batch.letters) >= self.batch_size:
                await self._commit()
            progress(read.done)
        await self._commit()
        return self.tally

    def _sort(self, read: Read) -> None:
        parsed = read.parsed
        if isinstance(parsed, Skipped):
            self.tally.skip(read.line, parsed.reason)
        elif isinstance(parsed, BadRow):
            self._bad(read, parsed)
        else:
            evts = call_events(parsed, self.line, datetime.now(UTC))
            if self._fresh(evts[0].event_id, read.line, "duplicate_call_id"):
                self._batch.calls.append((evts[0].event_id, evts))

    def _bad(self, read: Read, bad: BadRow) -> None:
        marker = "sha256:" + hashlib.sha256(read.raw).hexdigest()
        if self._fresh(marker, read.line, "duplicate_row"):
            detail = f"line {read.line}: {bad.detail}"
            poison = Poison(read.raw, bad.reason, self.topic, SOURCE, detail=detail)
            self._batch.letters.append((marker, read.line, bad, poison))

    def _fresh(self, marker: str, line: int, repeat: str) -> bool:
        """Not acked by an earlier run and not seen earlier in this file."""
        if marker in self.ledger:
            self.tally.already_imported += 1
            return False
        if marker in self._this_run:
            self.tally.skip(line, repeat)
            return False
        self._this_run.add(marker)
        return True

    async def _commit(self) -> None:
        batch, self._batch = self._batch, _Batch()
        if batch.calls:
            await self._publish(batch.calls)
        for marker, line, bad, poison in batch.letters:
            if not self.dry_run:
                await self._acked(self.intake.take(poison), [marker])
            self.tally.bad(line, bad)

    async def _publish(self, calls: list[tuple[str, list[CallEvent]]]) -> None:
        evts = [e for _, call in calls for e in call]
        if not self.dry_run:
            await self._acked(self.intake.take(Publish(evts)), [m for m, _ in calls])
        self.tally.imported += len(calls)
        self.tally.events += len(evts)

    async def _acked(self, taking: Awaitable[Result], markers: list[str]) -> None:
        result = await taking
        if not result.accepted:
            raise ImportAborted(result.detail or "Kafka did not ack", self.tally)
        self.ledger.record(markers)
