"""The ``hotline import calls`` run: settings (``HOTLINE_*``: broker, tenancy, the voice topic),
a producer (acks=all), the shared intake and the importer, then the summary."""

from __future__ import annotations

import asyncio
from datetime import tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
import typer
from pydantic import ValidationError
from rich.console import Console

from hotline.imports import Ledger, connected_producer, failed, progress
from hotline.intake import Intake, KafkaPublisher, MemoryPublisher, Publisher
from hotline.settings import ServiceSettings
from voice.cdr.calls import KIND, Line
from voice.cdr.formats import parsed_rows
from voice.cdr.generic import BadHeader
from voice.cdr.importer import CallImporter, ImportAborted, Tally
from voice.cdr.reader import rows
from voice.import_cli import Options
from voice.import_report import summary

VOICE_TOPIC = "hotline.inbound.voice"


class CallImportSettings(ServiceSettings):
    voice_topic: str = VOICE_TOPIC  # HOTLINE_VOICE_TOPIC


def run_import(options: Options) -> None:
    try:
        settings = CallImportSettings()
    except ValidationError as exc:
        raise failed(f"settings (HOTLINE_*): {exc}") from exc
    line = Line(_tenant(settings, options), options.account, _region(options.region))
    ledger = Ledger(options.ledger or _ledger_path(line))
    err = Console(stderr=True)

    def show(tally: Tally) -> None:
        summary(
            tally,
            dry_run=options.dry_run,
            tenant=line.tenant,
            account=line.account,
            as_json=options.as_json,
        )

    try:
        tally = asyncio.run(_run(settings, line, ledger, options, err))
    except BadHeader as exc:
        raise typer.BadParameter(str(exc), param_hint="FILE") from exc
    except ImportAborted as exc:
        show(exc.tally)
        err.print(f"[red]import stopped: Kafka did not ack ({exc}); run again to resume[/red]")
        raise typer.Exit(1) from exc
    show(tally)


async def _run(
    settings: CallImportSettings, line: Line, ledger: Ledger, options: Options, err: Console
) -> Tally:
    zone = _zone(options.timezone)
    producer = None if options.dry_run else await connected_producer(settings)
    publisher: Publisher = KafkaPublisher(producer) if producer else MemoryPublisher(down=True)
    intake = Intake(publisher, topic=settings.voice_topic)
    importer = CallImporter(
        intake, line, ledger, settings.voice_topic, dry_run=options.dry_run, batch=options.batch
    )
    reads = parsed_rows(options.fmt, rows(options.file), zone, line.region)
    try:
        with progress(options.file.stat().st_size, "bytes", err, noun="rows") as advance:
            return await importer.run(reads, advance)
    finally:
        if producer is not None:
            await producer.stop()


def _tenant(settings: CallImportSettings, options: Options) -> str:
    mapped = settings.tenancy().tenant_for(KIND, options.account)
    explicit = settings.tenants.get(f"{KIND}:{options.account}")
    if options.tenant and explicit and options.tenant != explicit:
        raise typer.BadParameter(
            f"account {options.account!r} belongs to tenant {explicit!r} (HOTLINE_TENANTS)",
            param_hint="--tenant",
        )
    return options.tenant or mapped


def _region(region: str | None) -> str | None:
    if region is None:
        return None
    if region.upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise typer.BadParameter(f"{region!r} is no phone region (ISO 3166)", param_hint="--region")
    return region.upper()


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise typer.BadParameter(f"unknown time zone {name!r}", param_hint="--timezone") from exc


def _ledger_path(line: Line) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in line.account)
    return Path("var/imports") / f"{line.tenant}.voice.{safe}.ids"
