"""`hotline loadgen`: an open-loop generator. Send i is due at t0 + i/rate whatever the
responses do (no coordinated omission: latency counts from the due time). Each send is recorded:
due time, final status, ack time, attempts, provider message id."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiosmtplib
import msgspec

from hotline_tools.load import payloads
from hotline_tools.load.clock import RunClock
from hotline_tools.load.http1 import Http1Pool
from hotline_tools.load.mix import Mix, Send


@dataclass
class Target:
    social_url: str = "http://127.0.0.1:8103"
    chat_url: str = "http://127.0.0.1:8102"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8125
    meta_app_secret: str = "dev-meta-app-secret"
    slack_signing_secret: str = "dev-load-slack-signing-secret"


class Record(msgspec.Struct, gc=False):
    """One send. Not tracked by the garbage collector (it holds only strings, numbers and a
    tuple of strings, so it can be in no cycle): a soak keeps millions of them, and Python's
    full collections walked them all in the generator's event loop, a pause of a second or more
    that showed up as ack latency of the services under test."""

    seq: int
    channel: str
    provider_id: str
    retry_of: int | None
    due: float  # epoch seconds the send was due, on the run's clock (hotline_tools.load.clock)
    status: str = ""
    acked_at: float | None = None
    attempts: int = 0
    failures: tuple[str, ...] = ()  # each failed attempt's status (no list per record)
    sent_at: float | None = None  # when the first attempt started: due + the generator's delay

    @property
    def ok(self) -> bool:
        return self.status in ("200", "202", "204", "250")


@dataclass
class RetryPolicy:
    enabled: bool = False  # like providers: retry non-2xx and connection errors
    first: float = 0.25
    cap: float = 4.0
    give_up_after: float = 120.0


@dataclass
class LoadRun:
    target: Target
    mix: Mix
    rate: float
    duration: float
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    tick: float = 0.001  # the scheduler's shortest sleep: sends due within it start together
    records: list[Record] = field(default_factory=list)
    acked: int = 0  # records with a 2xx/250 so far: a sampler reads it without a scan
    in_flight: set[asyncio.Task[None]] = field(default_factory=set)  # done ones are let go
    errors: list[BaseException] = field(default_factory=list)
    clock: RunClock = field(default_factory=RunClock.start)  # due / sent / acked times

    async def run(self) -> list[Record]:
        pools = {"whatsapp": _pool(self.target.social_url), "slack": _pool(self.target.chat_url)}
        try:
            await self._schedule(pools)
            await asyncio.gather(*self.in_flight)
        finally:
            for pool in pools.values():
                pool.close()
        if self.errors:  # a bug in the generator, not a failed send (those are recorded)
            raise self.errors[0]
        return self.records

    async def _schedule(self, pools: dict[str, Http1Pool]) -> None:
        """Wake at most once a ``tick`` and start every send due by then: at 3,000/s one timer
        and one wake-up for ~3 sends instead of one per send. A send started late is measured
        from its due time all the same."""
        total = int(self.rate * self.duration)
        start = self.clock.now()
        i = 0
        while i < total:
            due_now = min(total, int((self.clock.now() - start) * self.rate) + 1)
            for seq in range(i, due_now):
                self._start(pools, start + seq / self.rate)
            i = max(i, due_now)
            wait = start + i / self.rate - self.clock.now()
            if i < total:
                await asyncio.sleep(max(wait, self.tick))

    def _start(self, pools: dict[str, Http1Pool], due: float) -> None:
        send = self.mix.next()
        record = Record(send.seq, send.channel, send.provider_id, send.retry_of, due)
        self.records.append(record)
        task = asyncio.create_task(self._deliver(pools, send, record))
        self.in_flight.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self.in_flight.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self.errors.append(task.exception())  # type: ignore[arg-type]

    async def _deliver(self, pools: dict[str, Http1Pool], send: Send, record: Record) -> None:
        backoff = self.retry.first
        record.sent_at = self.clock.now()
        while True:
            record.attempts += 1
            record.status = await self._attempt(pools, send)
            if record.ok:
                record.acked_at = self.clock.now()
                self.acked += 1
                return
            record.failures += (record.status,)
            waited = self.clock.now() - record.due
            if not self.retry.enabled or waited > self.retry.give_up_after:
                return
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.retry.cap)

    async def _attempt(self, pools: dict[str, Http1Pool], send: Send) -> str:
        try:
            if send.channel == "email":
                return await self._smtp(send)
            request = self._http_request(send)
            status = await pools[send.channel].post(request.path, request.headers, request.body)
            return str(status)
        except (OSError, aiosmtplib.SMTPException) as exc:
            return f"error:{type(exc).__name__}: {exc}"[:100]

    def _http_request(self, send: Send) -> payloads.HttpRequest:
        now = int(time.time())
        if send.channel == "whatsapp":
            return payloads.whatsapp(send, self.target.meta_app_secret, now)
        return payloads.slack(send, self.target.slack_signing_secret, now)

    async def _smtp(self, send: Send) -> str:
        try:
            await aiosmtplib.send(
                payloads.email(send),
                sender=send.customer.email,
                recipients=[payloads.SUPPORT_ADDRESS],
                hostname=self.target.smtp_host,
                port=self.target.smtp_port,
                timeout=30,
            )
        except aiosmtplib.SMTPResponseException as exc:
            return str(exc.code)
        return "250"


def _pool(base_url: str) -> Http1Pool:
    host, _, port = base_url.removeprefix("http://").partition(":")
    return Http1Pool(host, int(port or 80))


def write_records(records: list[Record], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    encode = msgspec.json.Encoder().encode
    with path.open("wb") as fh:
        for r in records:
            fh.write(encode(r) + b"\n")


def read_records(path: Path) -> list[Record]:
    decode = msgspec.json.Decoder(Record).decode
    with path.open("rb") as fh:
        return [decode(line) for line in fh if line.strip()]
