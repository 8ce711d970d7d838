"""`python -m unifier.worker`: the consumer and the outbox relay without the HTTP API."""

from __future__ import annotations

import asyncio
import signal

from hotline import collector, eventloop, logs, priority
from hotline.kafka import EventProducer, ProducerSettings
from unifier.entrypoints.runtime import build_runtime
from unifier.settings import UnifierSettings


async def run(settings: UnifierSettings) -> None:
    producer = EventProducer(
        ProducerSettings(
            bootstrap=settings.kafka_bootstrap, client_id=settings.service, linger_ms=5
        )
    )
    await producer.start()
    runtime = await build_runtime(settings, producer)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, runtime.stop.set)
    runtime.start()
    try:
        await runtime.stop.wait()
    finally:
        await runtime.close()
        await producer.stop()


def main() -> None:
    settings = UnifierSettings()
    logs.configure(settings.log_level)
    collector.tune(settings.gc_threshold)
    priority.lower(settings.cpu_nice)
    eventloop.run(run(settings))


if __name__ == "__main__":
    main()
