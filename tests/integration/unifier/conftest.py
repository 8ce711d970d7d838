"""Unifier integration fixtures: a throw-away PostgreSQL cluster (Debian's package) and DSNs."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from hotline.devstack.broker import free_port

PGBIN = "/usr/lib/postgresql/15/bin"


def as_pg(*cmd: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *cmd], check=True, capture_output=True)


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """Base DSN of a private PostgreSQL 15 (trust auth on 127.0.0.1, fsync off)."""
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
    as_pg(
        f"{PGBIN}/pg_ctl",
        "-D",
        f"{d}/data",
        "-l",
        f"{d}/log",
        "-w",
        "-o",
        f"-p {port} -k {d} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c max_connections=200",
        "start",
    )
    try:
        with socket.create_connection(("127.0.0.1", port), 2):
            pass
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        as_pg(f"{PGBIN}/pg_ctl", "-D", f"{d}/data", "-m", "immediate", "-w", "stop")
        shutil.rmtree(d, ignore_errors=True)


def new_pg_database(base: str) -> str:
    name = "u" + uuid.uuid4().hex[:12]
    port = base.rsplit(":", 1)[1]
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
    return f"{base}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def dsn(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/unifier.db"
    return new_pg_database(request.getfixturevalue("postgres"))
