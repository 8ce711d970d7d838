"""History import: an archive's mails through the normal pipeline, exactly as SMTP and IMAP
mail goes — ``Mailroom.prepare`` (normalize), ``Mailroom.commit`` (attachment blobs, then the
shared intake: publish once with acks=all, or dead-letter poison with its reason).

Re-importing adds nothing. A mail's event id is derived from (tenant, "email", its Message-ID,
or ``sha256:`` of its bytes when it has none) by ``normalize``, and the unifier stores one
message per (tenant, channel, that provider id). On top of that the import keeps a ledger: the
markers (event id, or the sha256 of a dead letter's bytes) Kafka acked, one per line, so a
second run — or a run resumed after a crash or a broker outage — skips them as *already seen*
instead of publishing them again. A mail whose marker already came earlier in the same
archive (the same Message-ID twice) is a *duplicate*. (The ledger is ``hotline.imports``'.)
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from email_ingest.archive import StoredMail
from email_ingest.mailroom import Mailroom, Prepared
from hotline.imports import Ledger
from hotline.intake import Poison, Result

SOURCE = "import"
TOO_LARGE = "skipped:too_large"  # its key in Tally.examples (dead-letter reasons have none)


@dataclass
class Tally:
    imported: int = 0  # events Kafka acked (or, in a dry run, would be published)
    already_seen: int = 0  # in the ledger: an earlier run had them acked
    duplicates: int = 0  # the same event id earlier in this archive
    too_large: int = 0  # over the size cap: not read, not published, not dead-lettered
    dead_lettered: Counter[str] = field(default_factory=Counter)  # reason -> count
    examples: dict[str, str] = field(default_factory=dict)  # reason -> first place it happened

    @property
    def seen(self) -> int:
        dead = sum(self.dead_lettered.values())
        return self.imported + self.already_seen + self.duplicates + self.too_large + dead


class ImportAborted(RuntimeError):
    """Kafka did not ack: nothing after the last acked batch counts; run again to resume."""

    def __init__(self, detail: str, tally: Tally) -> None:
        super().__init__(detail)
        self.tally = tally


class Importer:
    """``batch`` mails are committed concurrently (their records share Kafka batches); the
    ledger moves after each batch is acked as a whole."""

    def __init__(
        self, mailroom: Mailroom, ledger: Ledger, *, dry_run: bool = False, batch: int = 64
    ) -> None:
        self.mailroom, self.ledger = mailroom, ledger
        self.dry_run, self.batch = dry_run, batch
        self.tally = Tally()
        self._this_run: set[str] = set()

    async def run(
        self, mails: Iterable[StoredMail], progress: Callable[[StoredMail], None] | None = None
    ) -> Tally:
        pending: list[tuple[Prepared, str]] = []
        for mail in mails:
            prepared = await self._sort(mail)
            if prepared is not None:
                pending.append((prepared, mail.where))
            if len(pending) >= self.batch:
                await self._commit(pending)
                pending = []
            if progress is not None:
                progress(mail)
        await self._commit(pending)
        return self.tally

    async def _sort(self, mail: StoredMail) -> Prepared | None:
        """Count what needs no publishing; return what does."""
        if mail.raw is None:
            self.tally.too_large += 1
            self.tally.examples.setdefault(TOO_LARGE, mail.where)
            return None
        prepared = await self.mailroom.prepare(mail.raw, source=SOURCE)
        if prepared.marker in self.ledger:
            self.tally.already_seen += 1
        elif prepared.marker in self._this_run:
            self.tally.duplicates += 1
        else:
            self._this_run.add(prepared.marker)
            if not self.dry_run:
                return prepared
            if isinstance(prepared.outcome, Poison):
                self._dead_lettered(prepared.outcome.reason, mail.where)
            else:
                self.tally.imported += 1
        return None

    async def _commit(self, pending: list[tuple[Prepared, str]]) -> None:
        if not pending:
            return
        results = await asyncio.gather(*(self.mailroom.commit(p) for p, _ in pending))
        acked = [
            (p, where, r) for (p, where), r in zip(pending, results, strict=True) if r.accepted
        ]
        for _, where, result in acked:
            self._count(result, where)
        self.ledger.record([p.marker for p, _, _ in acked])
        if len(acked) < len(pending):
            failed = next(r for r in results if not r.accepted)
            raise ImportAborted(failed.detail or "Kafka did not ack", self.tally)

    def _count(self, result: Result, where: str) -> None:
        if result.status == "dead_lettered":
            self._dead_lettered(result.detail, where)
        else:
            self.tally.imported += 1

    def _dead_lettered(self, reason: str, where: str) -> None:
        self.tally.dead_lettered[reason] += 1
        self.tally.examples.setdefault(reason, where)
