"""make bench-chat: signed Slack events and widget messages, each acknowledged after Kafka's ack.

One gateway worker process (``python -m chat_gateway``, uvicorn) against a dedicated broker;
this process generates the load. Slack: raw asyncio HTTP/1.1 keep-alive, bodies pre-signed;
a closed loop as fast as it goes (target >= 1,500/s), then an open loop at 500/s with latency
from each request's scheduled start (target p99 <= 25 ms). Widget: 500 open WebSockets, each
sending messages and waiting for each ack (target >= 2,000/s). Finally the broker must hold
exactly one record per acknowledged event.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect

from bench.common import bench_broker, write_result
from chat_gateway.slack.verify import sign
from hotline.topics import INBOUND_CHAT
from hotline_tools.devstack.broker import free_port
from tests.kafka_helpers import total_records

SECRET, TEAM = "bench-slack-signing-secret", "T0BENCH"
CLOSED_N = int(os.environ.get("BENCH_N", "15000"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
RATE, RATE_SECONDS = 500, int(os.environ.get("BENCH_RATE_SECONDS", "10"))
SOCKETS, PER_SOCKET = 500, int(os.environ.get("BENCH_WIDGET_PER_SOCKET", "30"))
TARGETS = {"slack_per_s": ">= 1500 (one worker process)", "slack_p99_ms_at_500_per_s": "<= 25",
           "widget_per_s": ">= 2000 across 500 open sockets"}  # fmt: skip


def request(i: int, port: int, ts: int) -> bytes:
    body = json.dumps({"type": "event_callback", "team_id": TEAM, "event_id": f"Ev{i}",
                       "event_time": ts, "event": {
                           "type": "message", "channel": f"C{i % 64:04d}", "user": f"U{i % 997}",
                           "text": "Hello, my order has not arrived yet. " * 4,
                           "ts": f"{ts}.{i:06d}", "channel_type": "channel"}}).encode()  # fmt: skip
    head = (f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            f"X-Slack-Request-Timestamp: {ts}\r\n"
            f"X-Slack-Signature: {sign(SECRET, str(ts), body)}\r\n\r\n")  # fmt: skip
    return head.encode() + body


class Conn:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def call(self, req: bytes) -> int:
        self.writer.write(req)
        head = await self.reader.readuntil(b"\r\n\r\n")
        length = next((int(line[15:]) for line in head.split(b"\r\n")
                       if line[:15].lower() == b"content-length:"), 0)  # fmt: skip
        await self.reader.readexactly(length)
        return int(head[9:12])


async def conns(port: int, n: int) -> list[Conn]:
    return [Conn(*await asyncio.open_connection("127.0.0.1", port)) for _ in range(n)]


async def closed_loop(pool: list[Conn], reqs: list[bytes]) -> tuple[float, list[float], int]:
    todo, ok, lat = iter(reqs), 0, []

    async def worker(c: Conn) -> None:
        nonlocal ok
        for req in todo:
            t = time.perf_counter()
            status = await c.call(req)  # (not ``ok += await ...``: that loses updates)
            ok += status == 200
            lat.append(time.perf_counter() - t)

    start = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in pool))
    return time.perf_counter() - start, lat, ok


async def open_loop(pool: list[Conn], reqs: list[bytes], rate: int) -> tuple[list[float], int]:
    idle: asyncio.Queue[Conn] = asyncio.Queue()
    for c in pool:
        idle.put_nowait(c)
    lat, ok = [], 0

    async def one(c: Conn, req: bytes, due: float) -> None:
        nonlocal ok
        status = await c.call(req)
        ok += status == 200
        lat.append(time.perf_counter() - due)
        idle.put_nowait(c)

    start, tasks = time.perf_counter(), []
    for i, req in enumerate(reqs):
        due = start + i / rate
        if (wait := due - time.perf_counter()) > 0:
            await asyncio.sleep(wait)
        tasks.append(asyncio.create_task(one(await idle.get(), req, due)))
    await asyncio.gather(*tasks)
    return lat, ok


async def widget(port: int, pid: int) -> tuple[float, int, float]:
    sockets = [await ws_connect(f"ws://127.0.0.1:{port}/chat/ws") for _ in range(SOCKETS)]
    for ws in sockets:
        await ws.send(json.dumps({"type": "hello", "site": "bench"}))
        await ws.recv()
    acks = 0

    async def talk(ws: ClientConnection, n: int) -> None:
        nonlocal acks
        for k in range(PER_SOCKET):
            await ws.send(
                json.dumps(
                    {
                        "type": "message",
                        "client_id": f"c{n}-{k}",
                        "text": "Hi, I need help with my invoice",
                    }
                )
            )
            answer = json.loads(await ws.recv())
            acks += answer["type"] == "ack"

    start, cpu0 = time.perf_counter(), cpu_seconds(pid)
    await asyncio.gather(*(talk(ws, n) for n, ws in enumerate(sockets)))
    elapsed, cpu = time.perf_counter() - start, cpu_seconds(pid) - cpu0
    for ws in sockets:
        await ws.close()
    return elapsed, acks, cpu * 1000 / max(acks, 1)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)


@contextmanager
def gateway(
    bootstrap: str, port: int, argv: tuple[str, ...] = ("-m", "chat_gateway")
) -> Iterator[subprocess.Popen[bytes]]:
    """The gateway process (``argv``: how to start it; ``bench.speed_ab`` passes a variant)."""
    workspaces = {TEAM: {"signing_secret": SECRET, "bot_token": "xoxb-bench"}}
    sites = {"bench": {"secret": "bench-site-secret"}}
    env = {**os.environ, "HOTLINE_KAFKA_BOOTSTRAP": bootstrap, "HOTLINE_PORT": str(port),
           "HOTLINE_LOG_LEVEL": "WARNING", "HOTLINE_REPLIES_ENABLED": "false",
           "HOTLINE_SLACK_WORKSPACES": json.dumps(workspaces),
           "HOTLINE_WIDGET_SITES": json.dumps(sites)}  # fmt: skip
    prof = os.environ.get("BENCH_PROFILE")  # write a cProfile of the gateway there
    extra = ["-m", "cProfile", "-o", prof] if prof else []
    proc = subprocess.Popen([sys.executable, *extra, *argv], env=env)
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGINT)  # (SIGINT lets a cProfile run write its file)
        proc.wait(10)


async def wait_ready(port: int) -> None:
    for _ in range(600):
        try:
            (c,) = await conns(port, 1)
            status = await c.call(f"GET /readyz HTTP/1.1\r\nHost: x:{port}\r\n\r\n".encode())
            c.writer.close()
            if status == 200:
                return
        except OSError:
            pass
        await asyncio.sleep(0.1)
    raise TimeoutError("gateway not ready")


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run(bootstrap: str, port: int, pid: int) -> dict[str, object]:
    await wait_ready(port)
    ts, warm, paced = int(time.time()), 2000, RATE * RATE_SECONDS
    reqs = [request(i, port, ts) for i in range(warm + CLOSED_N + paced)]
    before = await total_records(bootstrap, INBOUND_CHAT)
    pool = await conns(port, CONNECTIONS)
    await closed_loop(pool, reqs[:warm])  # warm-up
    cpu0 = cpu_seconds(pid)
    elapsed, fast_lat, ok_fast = await closed_loop(pool, reqs[warm : warm + CLOSED_N])
    cpu_ms = (cpu_seconds(pid) - cpu0) * 1000 / CLOSED_N
    lat, ok_paced = await open_loop(pool, reqs[warm + CLOSED_N :], RATE)
    w_elapsed, w_acks, w_cpu_ms = await widget(port, pid)
    landed = await total_records(bootstrap, INBOUND_CHAT) - before
    return {
        "slack_closed_loop": {"requests": CLOSED_N, "ok": ok_fast, "connections": CONNECTIONS,
                              "per_s": round(CLOSED_N / elapsed),
                              "ack_p50_ms": pct(fast_lat, 0.5), "ack_p99_ms": pct(fast_lat, 0.99),
                              "ack_max_ms": pct(fast_lat, 1.0),
                              "gateway_cpu_ms_per_event": round(cpu_ms, 3),
                              "gateway_capacity_per_cpu_s": round(1000 / cpu_ms)},
        "slack_at_500_per_s": {"requests": paced, "ok": ok_paced, "p50_ms": pct(lat, 0.5),
                               "p99_ms": pct(lat, 0.99), "max_ms": pct(lat, 1.0)},
        "widget": {"sockets": SOCKETS, "messages": SOCKETS * PER_SOCKET, "acked": w_acks,
                   "per_s": round(w_acks / w_elapsed),
                   "gateway_cpu_ms_per_message": round(w_cpu_ms, 3)},
        "acked": warm + ok_fast + ok_paced + w_acks, "records_on_broker": landed,
    }  # fmt: skip


def main() -> None:
    port = free_port()
    with bench_broker() as broker, gateway(broker.bootstrap, port) as proc:
        doc = asyncio.run(run(broker.bootstrap, port, proc.pid))
    s, p, w = doc["slack_closed_loop"], doc["slack_at_500_per_s"], doc["widget"]
    doc.update(cpu_count=os.cpu_count(), targets=TARGETS, met={
        "slack_per_s": s["per_s"] >= 1500,  # type: ignore[index]
        "slack_p99": p["p99_ms"] <= 25,  # type: ignore[index]
        "widget_per_s": w["per_s"] >= 2000,  # type: ignore[index]
        "no_loss_no_dup": doc["acked"] == doc["records_on_broker"],
    }, notes="Slack: read body, v0 HMAC + timestamp check, msgspec parse, normalize, publish "
             "(idempotent, acks=all), wait for the ack, then 200. Widget: frame parse, "
             "normalize, publish, wait for the ack, then the ack frame. Load generator, "
             "gateway and broker share the machine's cores.")  # fmt: skip
    print(json.dumps(doc, indent=2))
    print(write_result("chat", doc))


if __name__ == "__main__":
    main()
