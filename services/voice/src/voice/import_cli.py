"""``hotline import calls FILE``: a PBX's call-detail records (Asterisk ``Master.csv``, or the
generic call CSV of services/voice/README.md) into call events on ``hotline.inbound.voice``,
streamed, with a progress bar and a summary.

voice registers this command group under the ``hotline.commands`` entry point ``import`` (its
pyproject); the ``hotline`` CLI merges it with email_ingest's ``import`` group. The work is
``import_run``'s; the broker and tenancy settings are the usual ``HOTLINE_*``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from voice.cdr.formats import Format

app = typer.Typer(
    help="Import call-detail records (Asterisk Master.csv, generic CSV) as call events.",
    no_args_is_help=True,
)


@dataclass(frozen=True)
class Options:
    file: Path
    fmt: Format
    tenant: str | None
    account: str
    region: str | None
    timezone: str
    dry_run: bool
    ledger: Path | None
    batch: int
    as_json: bool


@app.command()
def calls(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    fmt: Annotated[
        Format, typer.Option("--format", help="asterisk: cdr_csv's Master.csv; csv: generic")
    ] = "asterisk",
    tenant: Annotated[
        str | None, typer.Option(help="the tenant", show_default="HOTLINE_TENANTS for voice:<A>")
    ] = None,
    account: Annotated[str, typer.Option(help="the voice account: the PBX's name")] = "pbx",
    region: Annotated[
        str | None, typer.Option(help="phone region of national numbers, e.g. DE")
    ] = None,
    timezone: Annotated[str, typer.Option(help="zone of times written without offset")] = "UTC",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="parse and count; publish nothing")] = (
        False
    ),
    ledger: Annotated[
        Path | None,
        typer.Option(
            help="markers of acked calls, skipped on re-import",
            show_default="var/imports/<tenant>.voice.<account>.ids",
        ),
    ] = None,
    batch: Annotated[int, typer.Option(min=1, max=5000, help="rows published together")] = 2000,
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
) -> None:
    """Import a call-detail record file, streamed (one row in memory at a time)."""
    options = Options(file, fmt, tenant, account, region, timezone, dry_run, ledger, batch, as_json)
    # Imported here: the ``hotline`` CLI loads every command's module at start, and the
    # pipeline (Kafka, phonenumbers' metadata) would slow every other command.
    from voice.import_run import run_import

    run_import(options)
