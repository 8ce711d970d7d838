"""A throw-away PostgreSQL cluster from Debian's package (initdb/pg_ctl as the postgres user),
on a private loopback port and temp dir — for benchmarks and drills (tests have their own)."""

from __future__ import annotations

import contextlib
import glob
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


def pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise FileNotFoundError("PostgreSQL is not installed (deploy/scripts/system-deps.sh)")
    return Path(found[-1]).parent


def _as_pg(*cmd: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *cmd], check=True, capture_output=True)


@dataclass
class Postgres:
    port: int
    dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="hotline-pg-")))

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/hotline"

    def start(self) -> None:
        shutil.chown(self.dir, "postgres", "postgres")
        data = self.dir / "data"
        if not data.exists():
            _as_pg(
                str(pg_bin() / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            )
        self._ctl("start")
        if not (self.dir / "created").exists():
            _as_pg(
                "createdb", "-h", str(self.dir), "-p", str(self.port), "-U", "postgres", "hotline"
            )
            (self.dir / "created").touch()

    def _ctl(self, action: str, *extra: str) -> None:
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200"
        _as_pg(
            str(pg_bin() / "pg_ctl"),
            "-D",
            str(self.dir / "data"),
            "-l",
            str(self.dir / "log"),
            "-w",
            "-o",
            opts,
            *extra,
            action,
        )

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast")

    def stop(self, remove: bool = True) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._ctl("stop", "-m", "fast")
        if remove:
            shutil.rmtree(self.dir, ignore_errors=True)
