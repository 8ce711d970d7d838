"""What ``hotline import`` shows when done: a summary on stdout (a table, or JSON with ``--json``);
the progress bar while it runs is ``hotline.imports.progress``."""

from __future__ import annotations

import json
import sys

from rich.console import Console
from rich.table import Table

from email_ingest.history import TOO_LARGE, Tally


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
