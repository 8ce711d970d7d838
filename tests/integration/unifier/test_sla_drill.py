"""kill -9 drill around due times: the unifier (consumer, SLA scheduler, relay) is killed while
first-response clocks warn and come due, and while it is down they pass; the instances after it
find the same clocks from the stored conversations. At the end each conversation has exactly
one warning and one breach on hotline.conversations, each breach at its due time."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hotline import events as ev
from hotline import unified as un
from hotline.topics import CONVERSATIONS
from tests.integration.unifier.harness import publish, read_unified
from tests.integration.unifier.test_exactly_once import query, relayed
from tests.unit.unifier.factory import T0, ident, message

TARGET = timedelta(seconds=4)
POLICY = """
[[tenants]]
tenant = "{tenant}"
[[tenants.policies]]
name = "drill"
first_response = "4s"
resolution = "1h"
hours = "calendar"
warn_at = 0.5
"""


def worker(kafka: str, db: Path, sla_file: Path) -> subprocess.Popen[bytes]:
    group = "sla-" + db.parent.name[-8:]
    env = {
        **os.environ,
        "HOTLINE_KAFKA_BOOTSTRAP": kafka,
        "HOTLINE_DATABASE_URL": f"sqlite:///{db}",
        "HOTLINE_GROUP_ID": group,
        "HOTLINE_INSTANCE_ID": group,
        "HOTLINE_ENV": "test",
        "HOTLINE_LOG_LEVEL": "ERROR",
        "HOTLINE_SLA_FILE": str(sla_file),
        "HOTLINE_SLA_POLL_SECONDS": "0.2",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "unifier.worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def customers(tenant: str, prefix: str, n: int) -> list[ev.Event]:
    at = datetime.now(UTC) - T0
    kinds: list[ev.ChannelKind] = ["email", "whatsapp"]
    out: list[ev.Event] = []
    for i in range(n):
        kind = kinds[i % 2]
        handle = f"{prefix}{i}@example.test" if kind == "email" else f"+49151{prefix}{i:04d}"
        ids = [ident("email" if kind == "email" else "phone", handle)]
        out.append(message(f"{prefix}{i}", kind, handle=handle, ids=ids, tenant=tenant, at=at))
    return out


async def until(check: object, seconds: float) -> None:
    end = time.monotonic() + seconds
    while not check() and time.monotonic() < end:  # type: ignore[operator]
        await asyncio.sleep(0.1)


def kill(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait()


async def test_kill_minus_nine_around_due_times(kafka: str, tmp_path: Path) -> None:
    tenant, db = "k" + uuid.uuid4().hex[:8], tmp_path / "u.db"
    sla_file = tmp_path / "sla.toml"
    sla_file.write_text(POLICY.format(tenant=tenant))

    def stored() -> int:
        rows = query(db, "select count(*) from messages where tenant = ?", tenant)
        return int(rows[0][0]) if rows else 0  # type: ignore[call-overload]

    proc = worker(kafka, db, sla_file)
    await publish(kafka, customers(tenant, "a", 20))
    await until(lambda: stored() == 20, 30)
    assert stored() == 20
    await asyncio.sleep(3.0)  # the warnings (at 2 s) are out, the due times (4 s) near
    kill(proc)
    await publish(kafka, customers(tenant, "b", 10))  # while it is down: their clocks start
    await asyncio.sleep(2.0)  # the first 20 come due with nobody running
    proc = worker(kafka, db, sla_file)
    await asyncio.sleep(3.5)  # started (~2 s), and killed again at work
    kill(proc)
    proc = worker(kafka, db, sla_file)
    try:
        await until(lambda: _breached(db, tenant) == 30 and relayed(db, tenant, 30), 60)
        await asyncio.sleep(1.5)  # more scheduler rounds: nothing more may go out
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    await _check(kafka, tenant, db)


def _breached(db: Path, tenant: str) -> int:
    sql = "select count(*) from sla_clocks where tenant = ? and state = 'breached'"
    rows = query(db, sql, tenant)
    return int(rows[0][0]) if rows else 0  # type: ignore[call-overload]


async def _check(kafka: str, tenant: str, db: Path) -> None:
    events = [
        e
        for e in await read_unified(kafka, CONVERSATIONS, tenant)
        if isinstance(e, un.SlaWarning | un.SlaBreached)
    ]
    counts = Counter((e.conversation_id, e.target, un.unified_tag(e)) for e in events)
    threads = {
        tid for (tid,) in query(db, "select thread_id from threads where tenant = ?", tenant)
    }
    assert len(threads) == 30
    want = {
        (t, "first_response", k) for t in threads for k in ("sla.warning.v1", "sla.breached.v1")
    }
    assert set(counts) == want, "no breach or warning lost"
    assert set(counts.values()) == {1}, "none duplicated"
    for e in events:
        if isinstance(e, un.SlaBreached):
            assert e.at == e.due_at == e.started_at + TARGET  # at its due time, not at restart
