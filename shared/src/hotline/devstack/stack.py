"""`make run`: the local stack — broker, topics, the four services (SQLite store) — with URLs
printed, and a clean stop on Ctrl-C (every child process is stopped; none is left behind)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from hotline.devstack.broker import Broker
from hotline.kafka.admin import ensure_topics
from hotline.topics import load_topics, repo_root

console = Console(stderr=True)


@dataclass
class Service:
    module: str
    port: int
    extra_env: dict[str, str]
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def plan(var: Path, base_port: int, kafka: str) -> list[Service]:
    db = f"sqlite:///{var / 'unifier.db'}"
    return [
        Service("email_ingest", base_port + 1, {"HOTLINE_SMTP_PORT": str(base_port + 25)}),
        Service("chat_gateway", base_port + 2, {}),
        Service("social_ingest", base_port + 3, {}),
        Service("unifier", base_port + 4, {"HOTLINE_DATABASE_URL": db}),
    ]


def start_service(svc: Service, var: Path, kafka: str) -> None:
    env = {
        **os.environ,
        "HOTLINE_KAFKA_BOOTSTRAP": kafka,
        "HOTLINE_PORT": str(svc.port),
        "HOTLINE_ENV": os.environ.get("HOTLINE_ENV", "dev"),
        "HOTLINE_DATA_DIR": str(var / svc.module),
        **svc.extra_env,
    }
    (var / "logs").mkdir(parents=True, exist_ok=True)
    log = (var / "logs" / f"{svc.module}.log").open("ab")
    svc.proc = subprocess.Popen(
        [sys.executable, "-m", svc.module],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_healthy(svc: Service, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert svc.proc is not None
        if svc.proc.poll() is not None:
            raise RuntimeError(f"{svc.module} exited ({svc.proc.returncode}); see var/logs")
        try:
            if httpx.get(f"{svc.url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{svc.module} not healthy after {timeout}s")


def stop_service(svc: Service, grace: float = 10.0) -> None:
    if svc.proc is None or svc.proc.poll() is not None:
        return
    os.killpg(svc.proc.pid, signal.SIGTERM)
    try:
        svc.proc.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(svc.proc.pid, signal.SIGKILL)
        svc.proc.wait()


def print_urls(services: list[Service], kafka: str) -> None:
    table = Table("component", "address", "try")
    table.add_row("kafka broker", kafka, "hotline topics")
    for svc in services:
        table.add_row(svc.module, svc.url, f"curl {svc.url}/readyz")
        if svc.module == "email_ingest":
            table.add_row(
                "  smtp intake",
                f"smtp://127.0.0.1:{svc.extra_env['HOTLINE_SMTP_PORT']}",
                "swaks -s 127.0.0.1 -p ... -t help@support.localhost",
            )
    console.print(table)
    console.print("[bold green]Hotline is running.[/] Press Ctrl-C to stop everything.")


class Stop(Exception):
    pass


def _raise_stop(signum: int, frame: object) -> None:
    raise Stop


def supervise(services: list[Service]) -> int:
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    try:
        while True:
            for svc in services:
                if svc.proc is not None and svc.proc.poll() is not None:
                    console.print(f"[red]{svc.module} exited ({svc.proc.returncode})[/]")
                    return 1
            time.sleep(0.5)
    except Stop:
        console.print("stopping ...")
        return 0


def main() -> int:
    var = Path(os.environ.get("HOTLINE_VAR", repo_root() / "var")).resolve()
    base = int(os.environ.get("HOTLINE_BASE_PORT", "8100"))
    kport = int(os.environ.get("HOTLINE_KAFKA_PORT", "9092"))
    broker = Broker(var / "kafka", kport, kport + 1)
    services = plan(var, base, broker.bootstrap)
    pids = var / "stack.pids"
    try:
        console.print(f"starting Kafka on {broker.bootstrap} (data in {broker.work}) ...")
        broker.start()
        asyncio.run(ensure_topics(broker.bootstrap, load_topics()))
        for svc in services:
            start_service(svc, var, broker.bootstrap)
        pids.write_text(" ".join(str(p) for p in _all_pids(broker, services)))
        for svc in services:
            wait_healthy(svc)
        print_urls(services, broker.bootstrap)
        return supervise(services)
    except Stop:
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for svc in services:
            stop_service(svc)
        broker.stop()
        console.print("stopped: broker and services are down.")


def _all_pids(broker: Broker, services: list[Service]) -> list[int]:
    procs = [broker.proc, *(s.proc for s in services)]
    return [p.pid for p in procs if p is not None]
