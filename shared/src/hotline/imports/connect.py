"""The import's producer (acks=all, idempotent) and its errors that are no option's fault."""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console

from hotline.kafka import EventProducer, ProducerSettings
from hotline.settings import ServiceSettings

CONNECT_TIMEOUT_S = 30.0


async def connected_producer(settings: ServiceSettings) -> EventProducer:
    """A started producer, or ``failed`` (exit 1) when the broker cannot be reached."""
    producer = EventProducer(
        ProducerSettings(
            bootstrap=settings.kafka_bootstrap,
            client_id="hotline-import",
            ack_timeout=settings.ack_timeout,
            linger_ms=settings.linger_ms,
        )
    )
    try:
        await asyncio.wait_for(producer.start(), CONNECT_TIMEOUT_S)
    except Exception as exc:
        await producer.stop()
        message = f"Kafka at {settings.kafka_bootstrap} is not reachable: {exc!r}"
        raise failed(message) from exc
    return producer


def failed(message: str) -> typer.Exit:
    """An error that is no single option's fault: said on stderr, exit status 1."""
    Console(stderr=True).print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(1)
