"""The ``hotline import`` run: email_ingest's settings (``HOTLINE_*``: broker, blob folder,
tenancy, mailbox), a producer (acks=all), the mailroom and the importer, then the summary."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.console import Console

from email_ingest.app import mailbox_config
from email_ingest.archive import NotAnArchive
from email_ingest.history import ImportAborted, Importer, Tally
from email_ingest.import_cli import Mails, Options
from email_ingest.import_report import summary
from email_ingest.mailroom import Mailroom
from email_ingest.settings import EmailSettings
from hotline.blobs import open_blob_store
from hotline.imports import Ledger, connected_producer, failed, progress
from hotline.intake import KafkaPublisher, MemoryPublisher, Publisher


def run_import(options: Options, mails: Mails, total: int, unit: str) -> None:
    try:
        settings = EmailSettings()
    except ValidationError as exc:
        raise failed(f"email_ingest settings (HOTLINE_*): {exc}") from exc
    if options.account:
        settings = settings.model_copy(update={"account_id": options.account})
    tenant = _tenant(settings, options.tenant)
    ledger = Ledger(options.ledger or Path("var/imports") / f"{tenant}.email.ids")
    err = Console(stderr=True)
    try:
        tally = asyncio.run(_run(settings, tenant, ledger, options, mails, (total, unit, err)))
    except NotAnArchive as exc:
        raise typer.BadParameter(str(exc)) from exc
    except ImportAborted as exc:
        summary(exc.tally, dry_run=options.dry_run, tenant=tenant, as_json=options.as_json)
        err.print(f"[red]import stopped: Kafka did not ack ({exc}); run again to resume[/red]")
        raise typer.Exit(1) from exc
    summary(tally, dry_run=options.dry_run, tenant=tenant, as_json=options.as_json)


def _tenant(settings: EmailSettings, asked: str | None) -> str:
    tenancy = settings.tenancy()
    mapped = tenancy.tenant_for("email", settings.account_id)
    explicit = settings.tenants.get(f"email:{settings.account_id}")
    if asked and explicit and asked != explicit:
        raise typer.BadParameter(
            f"account {settings.account_id!r} belongs to tenant {explicit!r} (HOTLINE_TENANTS)",
            param_hint="--tenant",
        )
    return asked or mapped


async def _run(
    settings: EmailSettings,
    tenant: str,
    ledger: Ledger,
    options: Options,
    mails: Mails,
    shown: tuple[int, str, Console],
) -> Tally:
    producer = None if options.dry_run else await connected_producer(settings)
    publisher: Publisher = KafkaPublisher(producer) if producer else MemoryPublisher(down=True)
    config = replace(mailbox_config(settings), tenant=tenant)
    room = Mailroom(
        publisher, open_blob_store(settings, settings.blob_dir), config, settings.inbound_topic
    )
    importer = Importer(room, ledger, dry_run=options.dry_run, batch=options.batch)
    try:
        with progress(*shown, noun="mails") as advance:
            return await importer.run(mails(settings.smtp_max_bytes), lambda m: advance(m.done))
    finally:
        if producer is not None:
            await producer.stop()
