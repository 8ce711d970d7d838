"""A real authoritative DNS server for tests: Debian's ``nsd`` on 127.0.0.1, our zones, and
RSA keys for DKIM made by the ``openssl`` CLI.

``Nsd(zones).start()`` writes nsd.conf and one zone file per zone into a temp dir (no chroot, no
user switch, IPv4 only, no remote control), starts ``nsd -d`` on a free UDP/TCP port and returns
once it answers the SOA of every zone. ``stop()`` ends that one process and removes the dir.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import dns.exception
import dns.resolver

from hotline_tools.devstack.broker import free_port

NSD = "/usr/sbin/nsd"


@dataclass(frozen=True)
class DkimKey:
    private_pem: bytes  # PKCS#1 PEM, as dkim.sign wants it
    public_b64: str  # SubjectPublicKeyInfo, base64: the p= of the DKIM TXT record

    def txt(self) -> str:
        return f"v=DKIM1; k=rsa; p={self.public_b64}"


def new_dkim_key(bits: int = 2048) -> DkimKey:
    private = subprocess.run(
        ["openssl", "genrsa", "-traditional", str(bits)], check=True, capture_output=True
    ).stdout
    public_der = subprocess.run(
        ["openssl", "rsa", "-pubout", "-outform", "DER"],
        input=private,
        check=True,
        capture_output=True,
    ).stdout
    return DkimKey(private, base64.b64encode(public_der).decode())


@dataclass
class Zone:
    origin: str  # "example.test"
    txt: dict[str, str] = field(default_factory=dict)  # relative owner name -> TXT text

    def render(self) -> str:
        lines = [
            f"$ORIGIN {self.origin}.",
            "$TTL 60",
            f"@ IN SOA ns.{self.origin}. admin.{self.origin}. 1 3600 600 86400 60",
            f"@ IN NS ns.{self.origin}.",
            "ns IN A 127.0.0.1",
        ]
        lines += [f"{owner} IN TXT ( {_strings(text)} )" for owner, text in self.txt.items()]
        return "\n".join(lines) + "\n"


def _strings(text: str) -> str:
    """TXT data as quoted strings of at most 255 bytes (a DKIM key is longer than one)."""
    chunks = [text[i : i + 200] for i in range(0, len(text), 200)] or [""]
    return " ".join('"' + c.replace("\\", "\\\\").replace('"', '\\"') + '"' for c in chunks)


class Nsd:
    def __init__(self, zones: list[Zone]) -> None:
        self.zones = zones
        self.dir = Path(tempfile.mkdtemp(prefix="nsd-"))
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def config(self) -> str:
        d = self.dir
        server = [
            "server:",
            f"  ip-address: 127.0.0.1@{self.port}",
            "  do-ip6: no",
            '  chroot: ""',
            '  username: ""',
            '  database: ""',
            f'  zonesdir: "{d}"',
            f'  pidfile: "{d}/nsd.pid"',
            f'  xfrdfile: "{d}/xfrd.state"',
            f'  zonelistfile: "{d}/zone.list"',
            f'  logfile: "{d}/nsd.log"',
            "  server-count: 1",
            "remote-control:",
            "  control-enable: no",
        ]
        zones = [f"zone:\n  name: {z.origin}\n  zonefile: {z.origin}.zone" for z in self.zones]
        return "\n".join(server + zones) + "\n"

    def start(self, timeout: float = 15.0) -> Nsd:
        for zone in self.zones:
            (self.dir / f"{zone.origin}.zone").write_text(zone.render())
        (self.dir / "nsd.conf").write_text(self.config())
        self.proc = subprocess.Popen([NSD, "-d", "-c", str(self.dir / "nsd.conf")])
        self._wait_answering(timeout)
        return self

    def _wait_answering(self, timeout: float) -> None:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers, resolver.port = ["127.0.0.1"], self.port
        deadline = time.monotonic() + timeout
        pending = [z.origin for z in self.zones]
        while pending:
            assert self.proc is not None and self.proc.poll() is None, self.log()
            try:
                resolver.resolve(pending[0], "SOA", lifetime=0.5)
                pending.pop(0)
            except dns.exception.DNSException as exc:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"nsd silent for {pending[0]}: {self.log()}") from exc
                time.sleep(0.1)

    def log(self) -> str:
        path = self.dir / "nsd.log"
        return path.read_text() if path.exists() else ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)
