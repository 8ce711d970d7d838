"""What ``hotline import`` shows: a progress bar on stderr while it runs, then a summary on
stdout (a table, or JSON with ``--json``)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from email_ingest.archive import StoredMail
from email_ingest.history import TOO_LARGE, Tally


class progress:
    """A rich progress bar on stderr, advanced to each mail's ``done``."""

    def __init__(self, total: int, unit: str, console: Console) -> None:
        counter = TextColumn("{task.completed:,.0f} B" if unit == "bytes" else "")
        self.bar = Progress(
            TextColumn("importing"),
            BarColumn(),
            MofNCompleteColumn() if unit == "mails" else counter,
            TextColumn("{task.fields[mails]:,} mails"),
            TimeRemainingColumn(),
            console=console,
        )
        self.task = self.bar.add_task("import", total=total, mails=0)

    def __enter__(self) -> Callable[[StoredMail], None]:
        self.bar.start()
        count = 0

        def advance(mail: StoredMail) -> None:
            nonlocal count
            count += 1
            self.bar.update(self.task, completed=mail.done, mails=count)

        return advance

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()


def summary(tally: Tally, *, dry_run: bool, tenant: str, as_json: bool) -> None:
    if as_json:
        doc = {
            "tenant": tenant,
            "dry_run": dry_run,
            "imported": tally.imported,
            "already_seen": tally.already_seen,
            "duplicates": tally.duplicates,
            "too_large": tally.too_large,
            "dead_lettered": dict(tally.dead_lettered),
            "first_at": tally.examples,
        }
        sys.stdout.write(json.dumps(doc) + "\n")
        return
    Console().print(_table(tally, dry_run, tenant))


def _table(tally: Tally, dry_run: bool, tenant: str) -> Table:
    would = "would be " if dry_run else ""
    first = tally.examples.get
    table = Table("mails", "count", "first at", title=f"import into tenant {tenant!r}")
    table.add_row(f"{would}imported", str(tally.imported), "")
    table.add_row("skipped: already seen (ledger)", str(tally.already_seen), "")
    table.add_row("skipped: duplicate in this archive", str(tally.duplicates), "")
    table.add_row("skipped: too large", str(tally.too_large), first(TOO_LARGE, ""))
    for reason, count in sorted(tally.dead_lettered.items()):
        table.add_row(f"{would}dead-lettered: {reason}", str(count), first(reason, ""))
    return table
