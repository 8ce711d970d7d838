"""``hotline import mbox FILE`` and ``hotline import maildir DIR``: a mail archive into the normal
pipeline (``history.Importer``), with a progress bar and a summary.

email_ingest registers this command group under the ``hotline.commands`` entry points (its
pyproject), as the unifier registers ``rethread``: the ``hotline`` CLI in shared never imports a
service. The work is ``import_run``'s; settings are email_ingest's own ``HOTLINE_*``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from email_ingest.archive import (
    NotAnArchive,
    StoredMail,
    Variant,
    maildir_files,
    maildir_messages,
    mbox_messages,
)

app = typer.Typer(
    help="Import a mail archive (mbox, Maildir) through the normal email pipeline.",
    no_args_is_help=True,
)

Account = Annotated[
    str | None,
    typer.Option(help="the mailbox the archive belongs to", show_default="HOTLINE_ACCOUNT_ID"),
]
Tenant = Annotated[
    str | None,
    typer.Option(help="the tenant", show_default="HOTLINE_TENANTS for email:<account>"),
]
DryRun = Annotated[bool, typer.Option("--dry-run", help="parse and count; publish nothing")]
LedgerPath = Annotated[
    Path | None,
    typer.Option(
        help="ids of acked mails, skipped on re-import",
        show_default="var/imports/<tenant>.email.ids",
    ),
]
Batch = Annotated[int, typer.Option(min=1, max=1000, help="mails committed concurrently")]
AsJson = Annotated[bool, typer.Option("--json", help="print the summary as JSON")]


Mails = Callable[[int], Iterator[StoredMail]]  # the size cap -> the archive's mails


@dataclass(frozen=True)
class Options:
    account: str | None
    tenant: str | None
    dry_run: bool
    ledger: Path | None
    batch: int
    as_json: bool


@app.command()
def mbox(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    variant: Annotated[Variant, typer.Option(help="how the file quotes 'From ' lines")] = "mboxrd",
    account: Account = None,
    tenant: Tenant = None,
    dry_run: DryRun = False,
    ledger: LedgerPath = None,
    batch: Batch = 64,
    as_json: AsJson = False,
) -> None:
    """Import an mbox file, streamed (mboxrd by default; mboxo, mboxcl, mboxcl2)."""
    options = Options(account, tenant, dry_run, ledger, batch, as_json)
    total = file.stat().st_size
    _import(options, lambda cap: mbox_messages(file, variant, cap), total, "bytes")


@app.command()
def maildir(
    directory: Annotated[Path, typer.Argument(exists=True, file_okay=False, readable=True)],
    account: Account = None,
    tenant: Tenant = None,
    dry_run: DryRun = False,
    ledger: LedgerPath = None,
    batch: Batch = 64,
    as_json: AsJson = False,
) -> None:
    """Import one Maildir folder (cur/ and new/; not its subfolders)."""
    options = Options(account, tenant, dry_run, ledger, batch, as_json)
    try:
        total = len(maildir_files(directory))
    except NotAnArchive as exc:
        raise typer.BadParameter(str(exc)) from exc
    _import(options, lambda cap: maildir_messages(directory, cap), total, "mails")


def _import(options: Options, mails: Mails, total: int, unit: str) -> None:
    # Imported here, not at the top: the ``hotline`` CLI loads every command's module at start,
    # and the pipeline (FastAPI app wiring, Kafka, normalize) would slow every other command.
    from email_ingest.import_run import run_import

    run_import(options, mails, total, unit)
