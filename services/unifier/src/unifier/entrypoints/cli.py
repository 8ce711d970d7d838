"""`hotline rethread --rules VERSION`: what would move under another rule set (entry point
``hotline.commands``: ``rethread = unifier.cli:rethread``, the shim at the package root;
also ``python -m unifier.cli``). Every ``hotline`` command loads this module to register the
command, so the replay and the store are imported only when it runs."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

if TYPE_CHECKING:
    from unifier.entrypoints.rethread import Report


def rethread(
    rules: Annotated[str, typer.Option("--rules", help="rule-set version to replay with")],
    tenant: Annotated[str | None, typer.Option(help="only this tenant")] = None,
    examples: Annotated[int, typer.Option(help="how many moved messages to show")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Replay the inbound log into a shadow store with rule set VERSION; print what would move."""
    from unifier.entrypoints.rethread import rethread as run_rethread
    from unifier.settings import UnifierSettings

    settings = UnifierSettings()
    console = Console(stderr=True)
    with Progress(
        "replaying", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=console
    ) as bar:
        task = bar.add_task("replay", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            report = asyncio.run(
                run_rethread(
                    settings.database_url,
                    settings.kafka_bootstrap,
                    rules,
                    tenant=tenant,
                    examples=examples,
                    progress=progress,
                )
            )
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--rules") from exc
    _print(report, as_json)


def _print(report: Report, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(vars(report), indent=2))
        return
    typer.echo(
        f"rules {report.rules}: {report.moved} of {report.compared} messages would move"
        f" ({report.skipped} unreadable records skipped)"
    )
    table = Table("message", "live rule", "new rule", "new evidence")
    for e in report.examples:
        table.add_row(e["message_id"], e["live_rule"], e["shadow_rule"], e["shadow_evidence"])
    if report.examples:
        Console(width=200).print(table)


def recompute(
    tenant: Annotated[str | None, typer.Option(help="only this tenant")] = None,
    apply: Annotated[bool, typer.Option("--apply", help="write the changes")] = False,
    examples: Annotated[int, typer.Option(help="how many changes to show")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Recompute SLA clocks under the current policies: show what would change (due times,
    states, events to emit) without writing; --apply writes it."""
    from unifier.entrypoints.sla_recompute import recompute as run_recompute
    from unifier.settings import UnifierSettings

    settings = UnifierSettings()
    report = asyncio.run(
        run_recompute(settings.database_url, tenant, apply=apply, examples=examples)
    )
    if as_json:
        typer.echo(json.dumps(vars(report), indent=2))
        return
    verb = "changed" if apply else "would change"
    typer.echo(
        f"{report.threads} conversations: {report.changed} {verb};"
        f" {report.events} events {'emitted' if apply else 'would be emitted'}"
    )
    for e in report.examples:
        typer.echo(json.dumps(e))


app = typer.Typer(help="unifier tools", no_args_is_help=True)
app.command()(rethread)
app.command()(recompute)
sla_app = typer.Typer(help="SLA clocks of the stored conversations.", no_args_is_help=True)
sla_app.command()(recompute)

if __name__ == "__main__":
    app()
