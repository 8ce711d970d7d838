"""The ``hotline`` command line."""

from __future__ import annotations

import json
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated

import msgspec
import typer
from rich.console import Console
from rich.table import Table

from hotline import events
from hotline.channels import registered
from hotline.kafka.errors import reason_of
from hotline.topics import load_topics

app = typer.Typer(
    help="Hotline: omnichannel message ingestion.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.command()
def normalize(
    channel: Annotated[str, typer.Argument(help="channel name, e.g. email, whatsapp, slack")],
    files: Annotated[list[Path], typer.Argument(help="stored payload files", exists=True)],
) -> None:
    """Run a channel's pure parse+normalize on stored payloads: one JSON line per file.

    No signature check, no Kafka. Events are printed exactly as encoded on Kafka; a file
    that would be dead-lettered prints {"file", "error": {"reason", "detail"}}. Exit 0 even
    when some files fail.
    """
    plugins = registered()
    if channel not in plugins:
        known = ", ".join(sorted(plugins)) or "none"
        raise typer.BadParameter(f"unknown channel {channel!r} (registered: {known})")
    plugin = plugins[channel]
    for path in files:
        typer.echo(_normalize_one(plugin.normalize, path))


def _normalize_one(run: object, path: Path) -> str:
    assert callable(run)
    try:
        produced = run(path.read_bytes())
    except Exception as exc:  # what the DLQ record would carry
        doc: dict[str, object] = {"reason": reason_of(exc), "detail": str(exc)}
        return json.dumps({"file": str(path), "error": doc}, ensure_ascii=False)
    encoded = b",".join(events.encode(e) for e in produced)
    return f'{{"file":{json.dumps(str(path))},"events":[{encoded.decode()}]}}'


@app.command()
def topics() -> None:
    """Print the topic table (deploy/kafka/topics)."""
    table = Table("topic", "partitions", "retention", "dead-letter topic", "purpose")
    for t in load_topics():
        days = "forever" if t.retention_ms < 0 else f"{t.retention_ms / 86_400_000:g} d"
        table.add_row(t.name, str(t.partitions), days, t.dead_letter or "-", t.purpose)
    Console(width=200).print(table)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the event contract."""
    typer.echo(msgspec.json.format(msgspec.json.encode(events.json_schema()), indent=2))


def _register_service_commands() -> None:
    """Services and tools add commands via the `hotline.commands` entry-point group: the
    unifier's `rethread`, hotline-tools' `run`, `demo`, `loadgen`, `verify-delivery`. An entry
    that is a ``typer.Typer`` is a command group: email_ingest's `import` (`import mbox`,
    `import maildir`)."""
    for ep in entry_points(group="hotline.commands"):
        command = ep.load()
        if isinstance(command, typer.Typer):
            app.add_typer(command, name=ep.name)
        else:
            app.command(ep.name)(command)


_register_service_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
