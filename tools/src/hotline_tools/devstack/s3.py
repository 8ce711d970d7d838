"""Start and stop a real S3-compatible server: S3Proxy with its ``filesystem`` backend.

``deploy/s3/fetch.sh`` downloads S3Proxy's self-contained jar from Maven Central (once, cached
in deploy/s3/lib). One JVM serves the S3 API on a free 127.0.0.1 port and keeps buckets as
directories and objects as files under a temp dir. It checks AWS signatures (v2 and v4)
against an access key pair of its own, so requests are really signed and checked.
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


def s3_home() -> Path:
    return repo_root() / "deploy" / "s3"


def pinned_version() -> str:
    for line in (s3_home() / "version.env").read_text().splitlines():
        key, _, value = line.partition("=")
        if key == "S3PROXY_VERSION":
            return value.strip()
    raise RuntimeError("no S3PROXY_VERSION in deploy/s3/version.env")


def fetch_s3proxy() -> Path:
    """The jar of the pinned version, downloaded by deploy/s3/fetch.sh if missing."""
    subprocess.run([str(s3_home() / "fetch.sh")], check=True)
    return s3_home() / "lib" / f"s3proxy-{pinned_version()}.jar"


@dataclass
class S3Server:
    work: Path
    access_key: str = field(default_factory=lambda: "K" + secrets.token_hex(8).upper())
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.work / "s3proxy.log"

    def _properties(self) -> str:
        return "\n".join(
            [
                f"s3proxy.endpoint={self.endpoint}",
                "s3proxy.authorization=aws-v2-or-v4",
                f"s3proxy.identity={self.access_key}",
                f"s3proxy.credential={self.secret_key}",
                "jclouds.provider=filesystem",
                f"jclouds.filesystem.basedir={self.work / 'data'}",
                "",
            ]
        )

    def _command(self, jar: Path, properties: Path) -> list[str]:
        return [
            "java",
            "-Xmx256m",
            "-XX:+UseSerialGC",  # one small heap on a shared box: no parallel GC threads
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true",
            f"-Djava.io.tmpdir={self.work / 'tmp'}",
            "-jar",
            str(jar),
            "--properties",
            str(properties),
        ]

    def start(self, timeout: float = 60.0) -> None:
        jar = fetch_s3proxy()
        for sub in ("data", "tmp"):
            (self.work / sub).mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        properties = self.work / "s3proxy.properties"
        properties.write_text(self._properties())
        properties.chmod(0o600)  # it holds the secret key
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                self._command(jar, properties),
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "LOG_LEVEL": "warn"},
                cwd=self.work,
                start_new_session=True,
            )
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        """Up = the port answers HTTP (any status: an unsigned request gets 403)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                code = self.proc.returncode
                raise RuntimeError(f"S3Proxy exited with {code}; see {self.log_path}")
            try:
                urllib.request.urlopen(self.endpoint + "/", timeout=1).close()
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"S3Proxy not up in {timeout}s; see {self.log_path}")

    def stop(self, grace: float = 10.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
