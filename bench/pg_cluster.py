"""A private PostgreSQL 15 cluster in a directory that outlives the run (make bench-inbox caches
its seeded store under ``var/bench-inbox/``): initdb once, start and stop with settings per phase.

Like ``bench.unifier_bench.postgres`` (trust auth on 127.0.0.1, run as the ``postgres`` user),
but the data directory is kept, so a re-run reuses the seeded cluster.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from hotline_tools.devstack.broker import free_port

PGBIN = "/usr/lib/postgresql/15/bin"
# reading: a small server (the store's hot indexes fit in shared buffers, the messages heap
# does not). No parallel query: on 2 cores the inbox's LIMIT walks ran 3 processes that each
# scanned ahead, ~3x the work for the same page (bench/profiling.md, "Agent inbox").
SERVE = {"shared_buffers": "1GB", "work_mem": "16MB", "maintenance_work_mem": "512MB",
         "max_connections": "300", "max_parallel_workers_per_gather": "0"}  # fmt: skip
# loading: nothing to lose, so no durability, and big sorts for the index builds
LOAD = SERVE | {
    "fsync": "off",
    "full_page_writes": "off",
    "synchronous_commit": "off",
    "maintenance_work_mem": "1GB",
    "max_wal_size": "16GB",
    "checkpoint_timeout": "30min",
}


def as_pg(*cmd: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *cmd], check=True, capture_output=True)


class Cluster:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.data = home / "data"
        self.port = 0

    @property
    def dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/bench"

    def create(self) -> None:
        """A fresh cluster (anything at ``home`` is removed) with an empty ``bench`` database."""
        shutil.rmtree(self.home, ignore_errors=True)
        self.home.mkdir(parents=True)
        shutil.chown(self.home, "postgres", "postgres")
        as_pg(f"{PGBIN}/initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust",
              "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
        self.start(LOAD)
        as_pg("/usr/bin/createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
              "bench")  # fmt: skip

    def start(self, settings: dict[str, str]) -> None:
        self.port = free_port()
        opts = " ".join(f"-c {k}={v}" for k, v in settings.items())
        as_pg(f"{PGBIN}/pg_ctl", "-D", str(self.data), "-l", str(self.home / "log"), "-w",
              "-o", f"-p {self.port} -k {self.home} -c listen_addresses=127.0.0.1 {opts}",
              "start")  # fmt: skip

    def stop(self) -> None:
        as_pg(f"{PGBIN}/pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
