"""The ``hotline`` command line."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated

import msgspec
import typer
from rich.console import Console
from rich.table import Table

from hotline import events
from hotline.capture import is_capture, parse_capture
from hotline.channels import ChannelPlugin, registered
from hotline.kafka.errors import reason_of
from hotline.topics import load_topics

app = typer.Typer(
    help="Hotline: omnichannel message ingestion.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.command()
def normalize(
    channel: Annotated[str, typer.Argument(help="channel name, e.g. email, whatsapp, mailgun")],
    files: Annotated[list[Path], typer.Argument(help="stored payload files", exists=True)],
    secret: Annotated[
        str | None, typer.Option(help="check a request capture's signature with this secret")
    ] = None,
    unverified: Annotated[
        bool, typer.Option("--unverified", help="run a request capture without its signature")
    ] = False,
) -> None:
    """Run a channel's pure parse+normalize on stored payloads: one JSON line per file.

    A file is a stored payload (the body alone: no signature check), or, for webhook channels,
    a raw HTTP request capture (request line, headers, blank line, body), which needs
    ``--secret`` (the signature is checked; freshness is not, a capture is old) or
    ``--unverified`` (its line says "verified": false). No Kafka. Events are printed exactly as
    encoded on Kafka; a file that would be refused or dead-lettered prints {"file", "error":
    {"reason", "detail"}}. Exit 0 even when some files fail.
    """
    plugins = registered()
    if channel not in plugins:
        known = ", ".join(sorted(plugins)) or "none"
        raise typer.BadParameter(f"unknown channel {channel!r} (registered: {known})")
    if secret is not None and unverified:
        raise typer.BadParameter("give --secret or --unverified, not both")
    plugin = plugins[channel]
    for path in files:
        typer.echo(_normalize_file(plugin, path, secret, unverified))


def _normalize_file(plugin: ChannelPlugin, path: Path, secret: str | None, unverified: bool) -> str:
    data = path.read_bytes()
    if not is_capture(data):
        return _normalize_one(lambda: plugin.normalize(data), path, None)
    if plugin.request is None:
        return _error(path, "not_a_webhook_channel", f"{plugin.name} takes no request captures")
    if secret is None and not unverified:
        return _error(path, "secret_required", "a request capture needs --secret or --unverified")
    run, verified = plugin.request, not unverified
    return _normalize_one(lambda: run(parse_capture(data), secret), path, verified)


def _normalize_one(run: Callable[[], list[events.Event]], path: Path, verified: bool | None) -> str:
    from hotline.http.webhook import Rejected  # the web stack, only for the command that needs it

    try:
        produced = run()
    except Rejected as exc:  # the edge's refusal (bad signature, missing credentials)
        return _error(path, exc.reason, exc.detail or f"HTTP {exc.status}")
    except Exception as exc:  # what the DLQ record would carry
        return _error(path, reason_of(exc), str(exc))
    encoded = b",".join(events.encode(e) for e in produced)
    mark = "" if verified is None else f',"verified":{json.dumps(verified)}'
    if verified is False:
        mark += ',"warning":"UNVERIFIED: the signature was not checked"'
    return f'{{"file":{json.dumps(str(path))}{mark},"events":[{encoded.decode()}]}}'


def _error(path: Path, reason: str, detail: str) -> str:
    doc = {"reason": reason, "detail": detail}
    return json.dumps({"file": str(path), "error": doc}, ensure_ascii=False)


@app.command()
def topics() -> None:
    """Print the topic table (deploy/kafka/topics)."""
    table = Table("topic", "partitions", "retention", "dead-letter topic", "purpose")
    for t in load_topics():
        days = "forever" if t.retention_ms < 0 else f"{t.retention_ms / 86_400_000:g} d"
        days = "compacted" if t.compacted else days
        table.add_row(t.name, str(t.partitions), days, t.dead_letter or "-", t.purpose)
    Console(width=200).print(table)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the event contract."""
    typer.echo(msgspec.json.format(msgspec.json.encode(events.json_schema()), indent=2))


def _register_service_commands() -> None:
    """Services and tools add commands via the `hotline.commands` entry-point group: the
    unifier's `rethread`, hotline-tools' `run`, `demo`, `loadgen`, `verify-delivery`. An entry
    that is a ``typer.Typer`` is a command group; groups of one name from several services are
    one group: `import` has email_ingest's `mbox` and `maildir` and voice's `calls`."""
    groups: dict[str, list[typer.Typer]] = {}
    for ep in sorted(entry_points(group="hotline.commands"), key=lambda e: (e.name, e.value)):
        command = ep.load()
        if isinstance(command, typer.Typer):
            groups.setdefault(ep.name, []).append(command)
        else:
            app.command(ep.name)(command)
    for name, parts in groups.items():
        app.add_typer(parts[0] if len(parts) == 1 else _merged(parts), name=name)


def _merged(parts: list[typer.Typer]) -> typer.Typer:
    """One group with every part's commands; its help is each part's, one line each."""
    helps = [str(p.info.help) for p in parts if isinstance(p.info.help, str)]
    group = typer.Typer(help="\n\n".join(helps), no_args_is_help=True)
    for part in parts:
        group.registered_commands.extend(part.registered_commands)
    return group


_register_service_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
