"""The outbox relay in a child process of the unifier (``relay_process``, on by default).

In the consumer's process the relay competed with it for the GIL and the event loop: the drain
benchmark stored 5,630 events/s with it and 7,590 without it (SQLite, 2 cores). As a child it
has a core of its own. The parent owns it:

- its settings come in one environment variable (never on the command line);
- each commit writes one byte to its stdin, which wakes it (it also polls when idle);
- end of stdin means the parent closed it or died (kill -9 too): the child stops;
- a child that dies is started again by the parent.

One relay at a time keeps each conversation's order: a child holds an exclusive ``flock`` on a
file named after the database, which the kernel releases only when that process is gone, so a
restarted unifier's new child waits for the old child to exit before it reconciles the topics'
tails with the outbox and carries on. That lock is for SQLite (one host per file); on PostgreSQL
the relay's database lease (``store.relay_lease``) makes it one relay across hosts.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import msgspec

from hotline import collector, eventloop, logs, priority
from hotline.kafka import EventProducer, ProducerSettings
from unifier.entrypoints.relay import OutboxRelay
from unifier.settings import UnifierSettings
from unifier.store.engine import create_engine

log = logging.getLogger(__name__)
CONFIG_ENV = "HOTLINE_RELAY_CONFIG"


class RelayConfig(msgspec.Struct, frozen=True):
    bootstrap: str
    database_url: str
    batch: int
    client_id: str
    log_level: str
    gc_threshold: int
    cpu_nice: int = 0

    @classmethod
    def of(cls, s: UnifierSettings) -> RelayConfig:
        return cls(
            s.kafka_bootstrap,
            s.database_url,
            s.relay_batch,
            f"{s.service}-relay",
            s.log_level,
            s.gc_threshold,
            s.cpu_nice,
        )

    def lock_path(self) -> Path:
        """Named after the database: a SQLite file by its absolute path (two checkouts with the
        default relative URL are two databases), anything else by its URL."""
        name = self.database_url
        if name.startswith("sqlite:///") and not name.startswith("sqlite:///:memory:"):
            name = "sqlite:" + str(Path(name.removeprefix("sqlite:///")).resolve())
        digest = hashlib.sha256(name.encode()).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"hotline-relay-{digest}.lock"


class RelayProcess:
    """The parent's handle: start, wake, supervise and stop the child."""

    def __init__(self, settings: UnifierSettings, restart_after: float = 1.0) -> None:
        self.config, self.restart_after = RelayConfig.of(settings), restart_after
        self.proc: asyncio.subprocess.Process | None = None
        self.starts = 0
        self.publishing = False  # the child said it reconciled and relays

    def notify(self) -> None:
        stdin = self.proc.stdin if self.proc else None
        if stdin is not None and not stdin.is_closing():
            stdin.write(b"\n")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    async def ready(self) -> bool:  # a /readyz check
        return self.alive() and self.publishing

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.proc = proc = await self._spawn()
            stopping = asyncio.create_task(stop.wait())
            listening = asyncio.create_task(self._listen(proc))
            await asyncio.wait(
                {stopping, asyncio.create_task(proc.wait())}, return_when="FIRST_COMPLETED"
            )
            stopping.cancel()
            listening.cancel()
            self.publishing = False
            if stop.is_set():
                await self._shutdown(proc)
                return
            log.error(
                "outbox relay process exited; starting it again", extra={"status": proc.returncode}
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.restart_after)

    async def _listen(self, proc: asyncio.subprocess.Process) -> None:
        """The child writes one line to its stdout once it publishes."""
        assert proc.stdout is not None
        if await proc.stdout.readline():
            self.publishing = True

    async def _spawn(self) -> asyncio.subprocess.Process:
        env = {**os.environ, CONFIG_ENV: msgspec.json.encode(self.config).decode()}
        self.starts += 1
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "unifier.entrypoints.relay_process",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,  # one line: "publishing" (logs go to stderr)
            env=env,
            start_new_session=True,  # Ctrl-C reaches the parent, which stops the child
        )

    @staticmethod
    async def _shutdown(proc: asyncio.subprocess.Process, grace: float = 15.0) -> None:
        if proc.stdin is not None:
            proc.stdin.close()  # end of input: the child finishes its batch and exits
        try:
            await asyncio.wait_for(proc.wait(), grace)
        except TimeoutError:
            proc.kill()
            await proc.wait()


@contextlib.contextmanager
def exclusive(path: Path) -> Iterator[None]:
    with path.open("a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("waiting for the previous outbox relay to exit", extra={"status": str(path)})
            fcntl.flock(f, fcntl.LOCK_EX)
        yield


async def serve(config: RelayConfig) -> None:
    engine = create_engine(config.database_url)
    producer = EventProducer(
        ProducerSettings(bootstrap=config.bootstrap, client_id=config.client_id, linger_ms=5)
    )
    await producer.start()
    relay, stop = OutboxRelay(engine, producer, config.batch), asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    announce = asyncio.create_task(_announce(relay))
    try:
        await _follow_stdin(relay)
    finally:
        announce.cancel()
        stop.set()
        await task
        await producer.stop()
        await engine.dispose()


async def _announce(relay: OutboxRelay) -> None:
    await relay.started.wait()
    sys.stdout.write("publishing\n")
    sys.stdout.flush()


async def _follow_stdin(relay: OutboxRelay) -> None:
    """Each byte wakes the relay; end of input (the parent is gone) returns."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while await reader.read(4096):
        relay.notify()


def main() -> None:
    config = msgspec.json.decode(os.environ[CONFIG_ENV], type=RelayConfig)
    logs.configure(config.log_level)
    single_host = config.database_url.startswith("sqlite")
    with exclusive(config.lock_path()) if single_host else contextlib.nullcontext():
        collector.tune(config.gc_threshold)
        priority.lower(config.cpu_nice)  # its own session: like the unifier that starts it
        eventloop.run(serve(config))


if __name__ == "__main__":
    main()
