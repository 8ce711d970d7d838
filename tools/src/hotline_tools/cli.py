"""The tools' `hotline` commands: `run`, `demo`, `loadgen`, `verify-delivery` (entry points
``hotline.commands`` in tools/pyproject.toml; the product CLI in hotline.cli registers them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from hotline import collector, eventloop


def run() -> None:
    """Start the local stack: broker, topics, four services (what `make run` does)."""
    from hotline_tools.devstack.stack import main as stack_main

    raise typer.Exit(stack_main())


def demo(
    base_port: Annotated[int, typer.Option(help="the stack's base port (make run)")] = 8100,
) -> None:
    """One customer on six channels through the real edges of the running stack; prints the
    inbox URL where her one conversation is."""
    from hotline_tools.devstack.demo import main as demo_main

    for line in demo_main(base_port):
        typer.echo(line)


def call(
    base_port: Annotated[int, typer.Option(help="the stack's base port (make run)")] = 8100,
    source: Annotated[str, typer.Option(help="twilio, vonage or cti")] = "twilio",
) -> None:
    """One phone call reported as a telephony source does (Twilio Voice status callbacks,
    Vonage event webhooks or a PBX's CTI events, signed) to the running stack's voice
    service; prints each callback's answer."""
    from hotline_tools.devstack.call import SOURCES
    from hotline_tools.devstack.call import main as call_main

    if source not in SOURCES:
        raise typer.BadParameter(f"--source: one of {', '.join(SOURCES)}")
    for line in call_main(base_port, source):
        typer.echo(line)


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
    from hotline_tools.load.generator import LoadRun, RetryPolicy, Target, write_records
    from hotline_tools.load.mix import Mix, MixSettings

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


def verify_delivery(
    records: Annotated[Path, typer.Option(exists=True)] = Path("var/load/records.jsonl"),
    database_url: Annotated[str, typer.Option()] = "sqlite:///var/unifier.db",
    bootstrap: Annotated[str, typer.Option()] = "127.0.0.1:9092",
) -> None:
    """Acked vs stored vs published: lost, duplicated, out of order, counters. Exit 1 on any."""
    from hotline_tools.load.generator import read_records
    from hotline_tools.load.verify import verify

    report = verify(read_records(records), database_url, bootstrap)
    typer.echo(json.dumps(report.summary(), indent=2))
    if not report.ok:
        raise typer.Exit(1)
