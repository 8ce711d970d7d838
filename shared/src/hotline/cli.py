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

from hotline import collector, eventloop, events
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


@app.command()
def run() -> None:
    """Start the local stack: broker, topics, four services (what `make run` does)."""
    from hotline.devstack.stack import main as stack_main

    raise typer.Exit(stack_main())


@app.command()
def demo(
    base_port: Annotated[int, typer.Option(help="the stack's base port (make run)")] = 8100,
) -> None:
    """One customer on six channels through the real edges of the running stack; prints the
    inbox URL where her one conversation is."""
    from hotline.devstack.demo import main as demo_main

    for line in demo_main(base_port):
        typer.echo(line)


@app.command()
def loadgen(
    rate: Annotated[float, typer.Option(help="messages per second (open loop)")] = 200.0,
    duration: Annotated[float, typer.Option(help="seconds")] = 30.0,
    out: Annotated[Path, typer.Option(help="JSONL record of every send")] = Path(
        "var/load/records.jsonl"
    ),
    channels: Annotated[str, typer.Option(help="comma-separated")] = "whatsapp,slack,email",
    retry: Annotated[bool, typer.Option(help="retry non-2xx like providers do")] = True,
    base_port: Annotated[int, typer.Option(help="the stack's base port (make run)")] = 8100,
    seed: Annotated[int, typer.Option()] = 7,
) -> None:
    """Send a realistic, correctly signed mix over real HTTP and SMTP at a fixed rate."""
    from hotline.load.generator import LoadRun, RetryPolicy, Target, write_records
    from hotline.load.mix import Mix, MixSettings

    target = Target(
        social_url=f"http://127.0.0.1:{base_port + 3}",
        chat_url=f"http://127.0.0.1:{base_port + 2}",
        smtp_port=base_port + 25,
    )
    mix = Mix(MixSettings(channels=tuple(channels.split(",")), seed=seed))  # type: ignore[arg-type]
    run_ = LoadRun(target, mix, rate, duration, RetryPolicy(enabled=retry))
    collector.tune()  # a record per send: the default collector would stall the schedule
    records = eventloop.run(run_.run())
    write_records(records, out)
    acked = sum(r.ok for r in records)
    typer.echo(json.dumps({"sent": len(records), "acked": acked, "records": str(out)}))


@app.command("verify-delivery")
def verify_delivery(
    records: Annotated[Path, typer.Option(exists=True)] = Path("var/load/records.jsonl"),
    database_url: Annotated[str, typer.Option()] = "sqlite:///var/unifier.db",
    bootstrap: Annotated[str, typer.Option()] = "127.0.0.1:9092",
) -> None:
    """Acked vs stored vs published: lost, duplicated, out of order, counters. Exit 1 on any."""
    from hotline.load.generator import read_records
    from hotline.load.verify import verify

    report = verify(read_records(records), database_url, bootstrap)
    typer.echo(json.dumps(report.summary(), indent=2))
    if not report.ok:
        raise typer.Exit(1)


def _register_service_commands() -> None:
    """Services add commands (e.g. the unifier's `rethread`) via the `hotline.commands` group."""
    for ep in entry_points(group="hotline.commands"):
        app.command(ep.name)(ep.load())


_register_service_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
