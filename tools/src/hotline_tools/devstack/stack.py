"""The local stack — broker, topics, the five services — as one supervisable object.

`make run` (``main``) starts it with URLs printed and stops it cleanly on Ctrl-C (no process is
left behind). Benchmarks and fault drills use ``Stack`` directly: ``kill9`` / ``restart`` one
component while traffic flows.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from rich.console import Console

from hotline.kafka.admin import ensure_topics
from hotline.topics import load_topics, repo_root
from hotline_tools.devstack.broker import TEST_JVM, Broker
from hotline_tools.devstack.credentials import (
    DEMO_TENANT,
    DEV_ADMIN_EMAIL,
    DEV_ADMIN_NAME,
    DEV_ADMIN_PASSWORD,
    Credentials,
    service_env,
)
from hotline_tools.devstack.providers import StandIn, api_bases

console = Console(stderr=True)
STANDIN_OFFSET = 30  # make run's provider stand-in listens on the base port + 30
# each on the base port + its place here (1..5); further unifier instances follow (6, 7, ...)
SERVICES = ("email_ingest", "chat_gateway", "social_ingest", "unifier", "voice")
EXTRA_UNIFIERS = 2  # instances beyond the first that free_base_port keeps room for
VOICE_PATH = "/webhooks/voice/twilio"  # Twilio Voice callbacks (voice.providers.twilio.edge)


@dataclass
class Service:
    module: str
    port: int
    env: dict[str, str]
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Stack:
    var: Path
    base_port: int = 8100
    kafka_port: int = 9092
    database_url: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    jvm: tuple[str, ...] = tuple(TEST_JVM)  # the broker's: quick start-up for dev and tests
    # HOTLINE_CPU_NICE per service (hotline.priority): none by default; a lower-priority
    # unifier lagged in 10-minute soaks without faster acks (bench/profiling.md, session 8)
    nice: dict[str, int] = field(default_factory=dict)
    # unifier instances in one consumer group on one database (more than one: PostgreSQL);
    # the second is "unifier-2" on base+6 (after the five services), and so on
    unifiers: int = 1
    services: dict[str, Service] = field(default_factory=dict)
    broker: Broker | None = None
    # make run: a stand-in answers the provider APIs (hotline_tools.devstack.providers) on base+30
    providers: StandIn | None = None

    def __post_init__(self) -> None:
        self.broker = Broker(self.var / "kafka", self.kafka_port, self.kafka_port + 1, self.jvm)
        db = self.database_url or f"sqlite:///{self.var / 'unifier.db'}"
        per_service = {
            "email_ingest": {
                "HOTLINE_SMTP_PORT": str(self.smtp_port),
                "HOTLINE_BLOB_DIR": str(self.var / "blobs"),
            },
            # the unifier serves the attachments the email edge stored: one blob folder
            "unifier": {"HOTLINE_DATABASE_URL": db, "HOTLINE_BLOB_DIR": str(self.var / "blobs")},
            "social_ingest": {
                "HOTLINE_WINDOWS_DB": str(self.var / "social-windows.sqlite3"),
                # Twilio signs the URL it posts to: the one this stack serves SMS webhooks on
                "HOTLINE_TWILIO_WEBHOOK_URL": f"{self._url(3)}/webhooks/sms",
                "HOTLINE_TWILIO_STATUS_URL": f"{self._url(3)}/webhooks/sms/status",
            },
            # Twilio Voice signs the URL it posts call callbacks to: this stack's
            "voice": {
                "HOTLINE_TWILIO_WEBHOOK_URL": self.voice_callback_url,
                # recordings copied into the stack's one blob folder before publish
                "HOTLINE_RECORDINGS_COPY": "true",
                "HOTLINE_BLOB_DIR": str(self.var / "blobs"),
            },
        }
        for name, nice in self.nice.items():
            per_service.setdefault(name, {})["HOTLINE_CPU_NICE"] = str(nice)
        for i, name in enumerate(SERVICES, start=1):
            self.services[name] = Service(name, self.base_port + i, per_service.get(name, {}))
        for n in range(2, self.unifiers + 1):
            env = {**per_service["unifier"], "HOTLINE_INSTANCE_ID": f"unifier-{n}"}
            port = self.base_port + len(SERVICES) + n - 1
            self.services[f"unifier-{n}"] = Service("unifier", port, env)

    def _url(self, n: int) -> str:
        return f"http://127.0.0.1:{self.base_port + n}"

    @property
    def voice_callback_url(self) -> str:
        return voice_callback_url(self.base_port)

    @property
    def smtp_port(self) -> int:
        return self.base_port + 25

    @property
    def bootstrap(self) -> str:
        assert self.broker is not None
        return self.broker.bootstrap

    def start(self) -> None:
        assert self.broker is not None
        if self.providers is not None:
            self.providers.start()
        self.broker.start()
        asyncio.run(ensure_topics(self.bootstrap, load_topics()))
        for name in self.services:
            self.start_service(name)
        for name in self.services:
            self.wait_healthy(name)
        for name in self.services:  # e.g. the unifier: partitions assigned, relay publishing
            self.wait_healthy(name, probe="readyz")

    def start_service(self, name: str) -> None:
        svc = self.services[name]
        env = {
            **(api_bases(self.providers.base) if self.providers else {}),
            **service_env(os.environ),
            "HOTLINE_KAFKA_BOOTSTRAP": self.bootstrap,
            "HOTLINE_PORT": str(svc.port),
            "HOTLINE_ENV": os.environ.get("HOTLINE_ENV", "dev"),
            **svc.env,
            **self.extra_env,
        }
        (self.var / "logs").mkdir(parents=True, exist_ok=True)
        log = (self.var / "logs" / f"{name}.log").open("ab")
        svc.proc = subprocess.Popen(
            [sys.executable, "-m", svc.module],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_healthy(self, name: str, timeout: float = 60.0, probe: str = "healthz") -> None:
        svc = self.services[name]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert svc.proc is not None
            if svc.proc.poll() is not None:
                raise RuntimeError(f"{name} exited ({svc.proc.returncode}); see {self.var}/logs")
            try:
                if httpx.get(f"{svc.url}/{probe}", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{name}: /{probe} not 200 after {timeout}s; see {self.var}/logs")

    def kill9(self, name: str) -> None:
        if name == "broker":
            assert self.broker is not None
            self.broker.kill()
            return
        proc = self.services[name].proc
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def restart(self, name: str) -> None:
        if name == "broker":
            assert self.broker is not None
            self.broker.start()
            return
        self.start_service(name)
        self.wait_healthy(name)

    def stop_service(self, name: str, grace: float = 10.0) -> None:
        proc = self.services[name].proc
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def stop(self) -> None:
        for name in self.services:
            self.stop_service(name)
        if self.broker is not None:
            self.broker.stop()
        if self.providers is not None:
            self.providers.stop()

    def pids(self) -> list[int]:
        procs = [
            self.broker.proc if self.broker else None,
            *(s.proc for s in self.services.values()),
        ]
        return [p.pid for p in procs if p is not None]

    def exited(self) -> list[str]:
        return [n for n, s in self.services.items() if s.proc and s.proc.poll() is not None]


def voice_callback_url(base_port: int) -> str:
    """Where the stack's voice service takes Twilio Voice callbacks (the URL they are signed
    over)."""
    return voice_url(base_port, VOICE_PATH)


def voice_url(base_port: int, path: str) -> str:
    """``path`` on the stack's voice service."""
    return f"http://127.0.0.1:{base_port + SERVICES.index('voice') + 1}{path}"


def free_base_port() -> int:
    """A base port whose service ports (base+1..7, base+25) are free, below Linux's ephemeral
    range (32768+) so that outgoing connections cannot take them between check and bind."""
    rng = random.Random()
    for _ in range(200):
        base = rng.randrange(20000, 29900, 5)  # 30000+ is left for broker port pairs
        offsets = (*range(1, len(SERVICES) + EXTRA_UNIFIERS + 1), 25, STANDIN_OFFSET)
        if all(_bindable(base + i) for i in offsets):
            return base
    raise RuntimeError("no free port range found")


def free_port_pair() -> int:
    """A port p with p and p+1 free (broker and controller), below the ephemeral range."""
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(32000 - 2000, 32000 - 2, 2)
        if _bindable(port) and _bindable(port + 1):
            return port
    raise RuntimeError("no free port pair found")


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def ensure_dev_admin(stack: Stack) -> None:
    """The demo tenant's admin, created once through the API with the configured token (an
    existing account is left as it is: 409)."""
    api = f"{stack.services['unifier'].url}/api/tenants/{DEMO_TENANT}/agents"
    body = {"email": DEV_ADMIN_EMAIL, "name": DEV_ADMIN_NAME, "role": "admin"}
    auth = {"Authorization": f"Bearer {Credentials.current().api_token}"}
    res = httpx.post(api, json={**body, "password": DEV_ADMIN_PASSWORD}, headers=auth, timeout=30)
    if res.status_code not in (201, 409):
        console.print(f"[yellow]dev admin not created: {res.status_code} {res.text}[/]")


def print_urls(stack: Stack) -> None:
    """Plain lines, never cut to the terminal's width: URLs and secrets must copy whole."""
    lines = [("kafka broker", stack.bootstrap)]
    lines += [(svc.module, svc.url) for svc in stack.services.values()]
    chat, unifier = stack.services["chat_gateway"].url, stack.services["unifier"].url
    creds = Credentials.current()
    lines += [
        ("smtp intake", f"smtp://127.0.0.1:{stack.smtp_port} (swaks -t help@localhost)"),
        ("web chat demo", f"{chat}/chat/demo"),
        ("call callbacks", f"{stack.voice_callback_url} (Twilio; Vonage, CTI: see below)"),
        ("agent API", f"{unifier}/docs (Authorization: Bearer {creds.api_token})"),
        ("sign in", f"{unifier}/login  as {DEV_ADMIN_EMAIL} / {DEV_ADMIN_PASSWORD}"),
    ]
    if stack.providers is not None:
        stand_in = (
            f"{stack.providers.base} (recorded Slack/Meta/Telegram/Twilio/X answers; dev only)"
        )
        lines.append(("provider stand-in", stand_in))
    _print_block("Hotline (every /healthz, /readyz, /metrics)", lines)
    _print_block(f"dev credentials, tenant '{DEMO_TENANT}'", creds.rows())
    if os.environ.get("HOTLINE_ENV", "dev") == "dev":
        console.print(DEV_NOTICE)
    demo = f"uv run hotline demo --base-port {stack.base_port}"
    console.print(f"try it: {demo}  (one customer on six channels)", soft_wrap=True)
    _print_call_help(stack, creds)
    console.print("[bold green]Hotline is running.[/] Press Ctrl-C to stop everything.")


def _print_call_help(stack: Stack, creds: Credentials) -> None:
    """What it takes to send the voice service a signed call callback, by hand or not."""
    call = f"uv run hotline call --base-port {stack.base_port} --source twilio|vonage|cti"
    console.print(f"a phone call: {call}  (signed callbacks of one call)", soft_wrap=True)
    vonage = voice_url(stack.base_port, "/webhooks/voice/vonage")
    cti = voice_url(stack.base_port, f"/webhooks/voice/cti/{creds.cti_account}")
    lines = [
        ("Twilio POST", f"{stack.voice_callback_url} (form: AccountSid, CallSid, CallStatus)"),
        ("  X-Twilio-Signature", "base64 HMAC-SHA1 of the URL + sorted form keys and values"),
        ("  signed with", f"{creds.twilio_auth_token} (the Twilio auth token; any AccountSid)"),
        ("Vonage POST", f"{vonage} (JSON event webhook: uuid, status, from, to)"),
        ("  Authorization", "Bearer <JWT HS256: application_id, iat, payload_hash=sha256(body)>"),
        ("  application_id", creds.vonage_application_id),
        ("  signed with", f"{creds.vonage_signature_secret} (the signature secret)"),
        ("CTI POST", f"{cti} (form: event=newCall|answer|hangup, callId, direction, from, to)"),
        ("  X-Hotline-Signature", 't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>'),
        ("  signed with", f"{creds.cti_signing_secret} (the PBX account's signing secret)"),
    ]
    _print_block("signing a call callback by hand", lines)


DEV_NOTICE = (
    "[bold yellow]HOTLINE_ENV=dev[/]: these placeholder secrets work here only; "
    "a service started without HOTLINE_ENV is prod and refuses them."
)


def _print_block(title: str, rows: list[tuple[str, str]] | list[tuple[str, str, str]]) -> None:
    console.print(f"[bold]{title}[/]")
    width = max(len(r[0]) for r in rows)
    for name, value, *more in rows:
        note = f"  ({more[0]})" if more else ""
        console.print(
            f"  {name:<{width}}  {value}{note}", soft_wrap=True, highlight=False, markup=False
        )


class Stop(Exception):
    pass


def _raise_stop(signum: int, frame: object) -> None:
    raise Stop


def supervise(stack: Stack) -> int:
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    try:
        while not (dead := stack.exited()):
            time.sleep(0.5)
        console.print(f"[red]{', '.join(dead)} exited; see {stack.var}/logs[/]")
        return 1
    except Stop:
        console.print("stopping ...")
        return 0


def write_pids(path: Path, pids: list[int]) -> None:
    """Atomically (write, then rename): a reader never sees a half-written list."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(" ".join(str(p) for p in pids))
    tmp.replace(path)


def main() -> int:
    var = Path(os.environ.get("HOTLINE_VAR", repo_root() / "var")).resolve()
    base = int(os.environ.get("HOTLINE_BASE_PORT", "8100"))
    stack = Stack(
        var,
        base,
        int(os.environ.get("HOTLINE_KAFKA_PORT", "9092")),
        providers=StandIn(base + STANDIN_OFFSET),
    )
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    try:
        console.print(f"starting Kafka on {stack.bootstrap} and five services ...")
        stack.start()
        ensure_dev_admin(stack)
        write_pids(var / "stack.pids", stack.pids())
        print_urls(stack)
        return supervise(stack)
    except Stop:
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stack.stop()
        console.print("stopped: broker and services are down.")
