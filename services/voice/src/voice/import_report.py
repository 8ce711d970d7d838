"""What ``hotline import calls`` shows when done: a summary on stdout (a table, or JSON with
``--json``), the bad rows listed by line; the progress bar is ``hotline.imports.progress``."""

from __future__ import annotations

import json
import sys

from rich.console import Console
from rich.table import Table

from voice.cdr.importer import MAX_LISTED, Tally


def summary(tally: Tally, *, dry_run: bool, tenant: str, account: str, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(_doc(tally, dry_run, tenant, account)) + "\n")
        return
    console = Console()
    console.print(_table(tally, dry_run, tenant, account))
    if tally.bad_rows:
        console.print(_bad_rows(tally))


def _doc(tally: Tally, dry_run: bool, tenant: str, account: str) -> dict[str, object]:
    return {
        "tenant": tenant,
        "account": account,
        "dry_run": dry_run,
        "rows": tally.rows,
        "imported": tally.imported,
        "events": tally.events,
        "already_imported": tally.already_imported,
        "skipped": dict(tally.skipped),
        "dead_lettered": dict(tally.dead_lettered),
        "bad_rows": [
            {"line": p.line, "reason": p.reason, "detail": p.detail} for p in tally.bad_rows
        ],
        "first_at": tally.first_at,
    }


def _table(tally: Tally, dry_run: bool, tenant: str, account: str) -> Table:
    would = "would be " if dry_run else ""
    title = f"call import into tenant {tenant!r}, voice account {account!r}"
    table = Table("rows", "count", "first at line", title=title)
    table.add_row("read", str(tally.rows), "")
    table.add_row(f"{would}imported (calls)", str(tally.imported), "")
    table.add_row(f"{would}published (events)", str(tally.events), "")
    table.add_row("skipped: already imported (ledger)", str(tally.already_imported), "")
    for reason, count in sorted(tally.skipped.items()):
        table.add_row(f"skipped: {reason}", str(count), str(tally.first_at.get(reason, "")))
    for reason, count in sorted(tally.dead_lettered.items()):
        first = next((p.line for p in tally.bad_rows if p.reason == reason), "")
        table.add_row(f"{would}dead-lettered: {reason}", str(count), str(first))
    return table


def _bad_rows(tally: Tally) -> Table:
    listed = len(tally.bad_rows)
    total = sum(tally.dead_lettered.values())
    more = f" (the first {MAX_LISTED} of {total})" if total > listed else ""
    table = Table("line", "reason", "detail", title=f"bad rows{more}")
    for problem in tally.bad_rows:
        table.add_row(str(problem.line), problem.reason, problem.detail)
    return table
