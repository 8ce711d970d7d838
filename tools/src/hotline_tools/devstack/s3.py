"""Start and stop a real S3-compatible server: SeaweedFS's ``weed server`` with its S3 gateway.

``deploy/s3/fetch.sh`` builds ``weed`` from the Go module proxy (once, cached in
deploy/s3/bin). One process runs master, volume server, filer and S3 gateway, each on its own
free port (gRPC ports too: the defaults, port + 10000, would collide between sessions), bound
to 127.0.0.1, with telemetry off (no traffic leaves the machine). The S3 gateway takes the
access key pair from ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY`` as an admin identity,
so requests are really signed and checked.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from hotline.topics import repo_root
from hotline_tools.devstack.broker import free_port

PORTS = ("master", "volume", "filer", "s3")


def s3_home() -> Path:
    return repo_root() / "deploy" / "s3"


def fetch_weed() -> Path:
    subprocess.run([str(s3_home() / "fetch.sh")], check=True)
    return s3_home() / "bin" / "weed"


@dataclass
class S3Server:
    work: Path
    access_key: str = field(default_factory=lambda: "K" + secrets.token_hex(8).upper())
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    ports: dict[str, int] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3']}"

    def _args(self) -> list[str]:
        p = self.ports
        return [
            "server",
            f"-dir={self.work / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-master.telemetry=false",
            "-master.volumeSizeLimitMB=64",
            "-volume.max=100",  # one volume per bucket written to (see WEED_MASTER_VOLUME_...)
            "-volume.preStopSeconds=0",  # a test server has no clients to drain
            *(f"-{name}.port={p[name]}" for name in PORTS),
            *(f"-{name}.port.grpc={p[name + '.grpc']}" for name in PORTS),
            "-filer",
            f"-filer.localSocket={self.work / 'filer.sock'}",
            "-s3",
            f"-s3.localSocket={self.work / 's3.sock'}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-s3.iam=false",
        ]

    def start(self, timeout: float = 60.0) -> None:
        weed = fetch_weed()
        (self.work / "data").mkdir(parents=True, exist_ok=True)
        self.ports = {n: free_port() for name in PORTS for n in (name, name + ".grpc")}
        env = {
            **os.environ,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            # one volume per new collection (a bucket is one) instead of seven: a bucket's
            # first write takes well under a second instead of seconds
            "WEED_MASTER_VOLUME_GROWTH_COPY_1": "1",
        }
        log = (self.work / "weed.log").open("ab")
        self.proc = subprocess.Popen(
            [str(weed), *self._args()],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=self.work,
            start_new_session=True,
        )
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        """Up = the S3 gateway answers (any HTTP status: it checks signatures first)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"weed exited with {self.proc.returncode}; see {self.work}")
            try:
                urllib.request.urlopen(self.endpoint + "/healthz", timeout=1).close()
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"S3 gateway not up in {timeout}s; see {self.work / 'weed.log'}")

    def stop(self, grace: float = 10.0) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        for name in PORTS:  # weed's own gRPC sockets, named by port, left behind in /tmp
            port = self.ports.get(name + ".grpc")
            Path(f"/tmp/seaweedfs-{name}-grpc-{port}.sock").unlink(missing_ok=True)
