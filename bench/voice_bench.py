"""make bench-voice: signed Twilio Voice status callbacks acknowledged after Kafka's ack.

The voice service runs as one worker process (``python -m voice``, uvicorn) against a
dedicated broker; this process is the load generator (raw asyncio HTTP/1.1 keep-alive, bodies
pre-signed with X-Twilio-Signature, as ``bench.social_bench``). After a short warm-up, an
open loop at 1,000 callbacks/s for ``BENCH_RATE_SECONDS``: ack latency from each request's
scheduled start (no coordinated omission) and the service's CPU seconds over the phase, so
callbacks per CPU-second is the one-core capacity. Each callback is a distinct step of a
distinct call (ringing, in-progress, completed): the broker must then hold exactly one record
per 200 answered.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlencode

from bench.common import bench_broker, write_result
from bench.social_bench import closed_loop, connect, cpu_seconds, open_loop, pct, wait_ready
from hotline import twilio
from hotline.topics import INBOUND_VOICE
from hotline_tools.devstack.broker import free_port
from tests.kafka_helpers import total_records

TOKEN = "bench-twilio-auth-token"
ACCOUNT = "AC" + "b" * 32
PATH = "/webhooks/voice/twilio"
RATE = int(os.environ.get("BENCH_RATE", "1000"))
RATE_SECONDS = float(os.environ.get("BENCH_RATE_SECONDS", "15"))
WARM = int(os.environ.get("BENCH_WARM", "1000"))
CONNECTIONS = 64
STATUSES = ("ringing", "in-progress", "completed")
TARGETS = {"p99_ms_at_1000_per_s": "<= 25 (as the social edge)"}


def callback(i: int) -> list[tuple[str, str]]:
    status = STATUSES[i % len(STATUSES)]
    pairs = [
        ("AccountSid", ACCOUNT),
        ("CallSid", f"CA{os.getpid():08x}{i // len(STATUSES):024x}"),
        ("CallStatus", status),
        ("Direction", "inbound"),
        ("From", f"+4930{i % 90000 + 10000:07d}"),
        ("To", "+4930555000111"),
        ("ApiVersion", "2010-04-01"),
    ]
    return [*pairs, ("CallDuration", "42")] if status == "completed" else pairs


def request(i: int, port: int) -> bytes:
    url = f"http://127.0.0.1:{port}{PATH}"
    pairs = callback(i)
    raw = urlencode(pairs).encode()
    head = (
        f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(raw)}\r\n"
        f"X-Twilio-Signature: {twilio.sign(TOKEN.encode(), url, pairs)}\r\n\r\n"
    )
    return head.encode() + raw


@contextmanager
def service(bootstrap: str, port: int) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "HOTLINE_KAFKA_BOOTSTRAP": bootstrap,
        "HOTLINE_PORT": str(port),
        "HOTLINE_TWILIO_AUTH_TOKEN": TOKEN,
        "HOTLINE_TWILIO_WEBHOOK_URL": f"http://127.0.0.1:{port}{PATH}",
        "HOTLINE_LOG_LEVEL": "WARNING",
        "HOTLINE_ENV": "dev",
    }
    proc = subprocess.Popen([sys.executable, "-m", "voice"], env=env)
    try:
        yield proc
    finally:
        proc.terminate()
        proc.wait(10)


async def paced(port: int, reqs: list[bytes], pid: int) -> dict[str, object]:
    conns = await connect(port, CONNECTIONS)
    cpu0, wall0 = cpu_seconds(pid), time.perf_counter()
    lat, ok = await open_loop(conns, reqs, RATE)
    cpu, wall = cpu_seconds(pid) - cpu0, time.perf_counter() - wall0
    return {
        "rate_per_s": RATE,
        "seconds": RATE_SECONDS,
        "connections": CONNECTIONS,
        "requests": len(reqs),
        "ok": ok,
        "achieved_per_s": round(len(reqs) / wall),
        "service_cpu_s": round(cpu, 2),
        "callbacks_per_cpu_s": round(len(reqs) / cpu) if cpu else None,
        "service_cpu_ms_per_callback": round(cpu * 1000 / len(reqs), 3),
        "p50_ms": pct(lat, 0.5),
        "p99_ms": pct(lat, 0.99),
        "p999_ms": pct(lat, 0.999),
        "max_ms": pct(lat, 1.0),
        "mean_ms": round(statistics.fmean(lat) * 1000, 2),
    }


async def run(bootstrap: str, port: int, pid: int) -> dict[str, object]:
    await wait_ready(port)
    n = int(RATE * RATE_SECONDS)
    reqs = [request(i, port) for i in range(WARM + n)]
    before = await total_records(bootstrap, INBOUND_VOICE)
    _, _, warm_ok = await closed_loop(await connect(port, 16), reqs[:WARM])
    at_rate = await paced(port, reqs[WARM:], pid)
    landed = await total_records(bootstrap, INBOUND_VOICE) - before
    return {
        "at_rate": at_rate,
        "acked_200": warm_ok + int(at_rate["ok"]),  # type: ignore[call-overload]
        "records_on_broker": landed,
    }


def main() -> None:
    load_before = os.getloadavg()
    port = free_port()
    with bench_broker() as broker, service(broker.bootstrap, port) as proc:
        doc = asyncio.run(run(broker.bootstrap, port, proc.pid))
    at_rate = doc["at_rate"]
    assert isinstance(at_rate, dict)
    doc.update(
        cpu_count=os.cpu_count(),
        targets=TARGETS,
        load_average_before_after=[load_before, os.getloadavg()],
        met={
            "p99": at_rate["p99_ms"] <= 25,
            "no_loss_no_dup": doc["acked_200"] == doc["records_on_broker"],
        },
        notes="each callback: read the form, route its AccountSid, X-Twilio-Signature "
        "HMAC-SHA1 over URL + sorted params, normalize to one call event, "
        "EventProducer.publish (idempotent, acks=all), wait for the ack, then 200. "
        "callbacks_per_cpu_s: callbacks over the voice process's CPU seconds in the paced "
        "phase (one core's capacity). Load generator, service and broker share the cores; "
        "load_average shows what else ran on the machine.",
    )
    print(json.dumps(doc, indent=2))
    print(write_result("voice", doc))


if __name__ == "__main__":
    main()
