"""`hotline triage train [--tenant T]`: train the category models now, in the database of
``HOTLINE_DATABASE_URL`` (entry point ``hotline.commands``: ``triage = unifier.cli:triage``).
Without ``--tenant``: every tenant labelled since its last model, as the service's loop does."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

import typer

triage = typer.Typer(help="triage: category models", no_args_is_help=True)


@triage.callback()
def group() -> None:
    """Triage: category models (a group even with one command: `hotline triage train`)."""


async def _train(dsn: str, tenant: str | None) -> list[dict[str, Any]]:
    from unifier.service import triage_admin
    from unifier.store.engine import create_engine, migrate

    engine = create_engine(dsn)
    try:
        await migrate(engine)
        if tenant:
            return [await triage_admin.train(engine, tenant)]
        return await triage_admin.train_due(engine)
    finally:
        await engine.dispose()


@triage.command()
def train(
    tenant: Annotated[str | None, typer.Option(help="only this tenant, even if not due")] = None,
) -> None:
    """Train category models on the categories agents gave conversations; print each result."""
    from unifier.settings import UnifierSettings

    for result in asyncio.run(_train(UnifierSettings().database_url, tenant)):
        typer.echo(json.dumps(result))
