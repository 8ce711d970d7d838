"""Unifier integration fixtures: a throw-away PostgreSQL cluster (Debian's package) and DSNs."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline_tools.devstack.broker import free_port
from unifier.store.engine import create_engine, migrate

PGBIN = "/usr/lib/postgresql/15/bin"


def as_pg(*cmd: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *cmd], check=True, capture_output=True)


@dataclass
class PgCluster:
    dsn: str  # base DSN, without a database name
    datadir: str
    port: int

    def ctl(self, *args: str) -> None:
        as_pg(f"{PGBIN}/pg_ctl", "-D", self.datadir, *args)

    def start(self) -> None:
        self.ctl(
            "-l",
            f"{self.datadir}/../log",
            "-w",
            "-o",
            f"-p {self.port} -k "
            f"{self.datadir}/.. -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c max_connections=200",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self.ctl("-m", mode, "-w", "stop")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PgCluster]:
    """A private PostgreSQL 15 (trust auth on 127.0.0.1, fsync off), stoppable by tests."""
    d = tempfile.mkdtemp(prefix="unifier-pg-")
    shutil.chown(d, "postgres", "postgres")
    port = free_port()
    as_pg(
        f"{PGBIN}/initdb",
        "-D",
        f"{d}/data",
        "-U",
        "postgres",
        "-A",
        "trust",
        "--no-sync",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
    )
    cluster = PgCluster(f"postgresql://postgres@127.0.0.1:{port}", f"{d}/data", port)
    cluster.start()
    try:
        with socket.create_connection(("127.0.0.1", port), 2):
            pass
        yield cluster
    finally:
        cluster.stop("immediate")
        shutil.rmtree(d, ignore_errors=True)


def new_pg_database(cluster: PgCluster) -> str:
    name = "u" + uuid.uuid4().hex[:12]
    port = str(cluster.port)
    subprocess.run(
        [
            "runuser",
            "-u",
            "postgres",
            "--",
            "/usr/bin/createdb",
            "-h",
            "127.0.0.1",
            "-p",
            port,
            "-U",
            "postgres",
            name,
        ],
        check=True,
        capture_output=True,
    )
    return f"{cluster.dsn}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def dsn(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/unifier.db"
    return new_pg_database(request.getfixturevalue("postgres"))


@pytest.fixture
async def engine(dsn: str) -> AsyncIterator[AsyncEngine]:
    """The store at ``dsn``, migrated."""
    store = create_engine(dsn)
    await migrate(store)
    yield store
    await store.dispose()
