"""Exactly-once into the store: kill -9 the unifier at random points while 20,000 events flow.

Kills come from outside (SIGKILL at random moments) and from inside, right after a batch's DB
commit and before the Kafka offset commit (the fault-injection setting). At the end the
stored set equals the published set, nothing is duplicated, the per-thread counters add up,
every effect found its message, and the outbox relay published every stored message.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

from hotline import events as ev
from hotline import unified as un
from hotline.topics import CONVERSATIONS
from tests.integration.unifier.harness import producer, read_unified
from tests.unit.unifier.factory import envelope, ident, message

PEOPLE = 1500
MESSAGES = 18_000
RETRIES = 1_000  # provider retries: the same event again
REACTIONS = 1_000
KINDS: list[ev.ChannelKind] = ["email", "whatsapp", "widget"]


def workload(tenant: str) -> tuple[list[ev.Event], set[tuple[str, str]], set[str]]:
    rng = random.Random(7)
    msgs: list[ev.Event] = []
    for n in range(MESSAGES):
        person, kind = rng.randrange(PEOPLE), KINDS[n % 3]
        handle = f"p{person}@example.test" if kind == "email" else f"{kind}-{person}"
        ids = [ident("email", f"p{person}@example.test")]
        msgs.append(message(f"m{n}", kind, tenant=tenant, handle=handle, ids=ids, text=f"n{n}"))
    targets = rng.sample(range(MESSAGES), REACTIONS)
    effects: list[ev.Event] = [
        ev.Reaction(
            **envelope(KINDS[t % 3], f"r{t}", tenant),
            target_message_id=f"m{t}",
            emoji="👍",
            sender=ev.Sender(handle="x"),
        )
        for t in targets
    ]
    events = msgs + effects + rng.sample(msgs, RETRIES)
    rng.shuffle(events)  # effects before their message too: they must be held, not lost
    want: set[tuple[str, str]] = {(KINDS[n % 3], f"m{n}") for n in range(MESSAGES)}
    return events, want, {f"m{t}" for t in targets}


def worker(kafka: str, db: Path, group: str, fault: float) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "HOTLINE_KAFKA_BOOTSTRAP": kafka,
        "HOTLINE_DATABASE_URL": f"sqlite:///{db}",
        "HOTLINE_GROUP_ID": group,
        "HOTLINE_INSTANCE_ID": group,
        "HOTLINE_ENV": "test",
        "HOTLINE_LOG_LEVEL": "ERROR",
        "HOTLINE_FAULT_KILL_AFTER_COMMIT": str(fault),
        "HOTLINE_MAX_POLL_RECORDS": "500",  # small batches: more points to die at
    }
    return subprocess.Popen(
        [sys.executable, "-m", "unifier.worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def query(db: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    if not db.exists():
        return []
    with sqlite3.connect(db, timeout=30) as conn:
        try:
            return conn.execute(sql, args).fetchall()
        except sqlite3.OperationalError:  # schema not migrated yet
            return []


def stored_count(db: Path, tenant: str) -> int:
    rows = query(db, "select count(*) from messages where tenant = ?", tenant)
    return int(rows[0][0]) if rows else 0  # type: ignore[call-overload]


def relayed(db: Path, tenant: str, n: int) -> bool:
    """All n stored and the outbox empty: the relay (a process of its own, which may still be
    starting) has published everything."""
    rows = query(db, "select count(*) from outbox")
    return stored_count(db, tenant) >= n and bool(rows) and rows[0][0] == 0


async def test_kill_minus_nine_loses_and_duplicates_nothing(kafka: str, tmp_path: Path) -> None:
    tenant, group, db = "x" + uuid.uuid4().hex[:8], "eo-" + uuid.uuid4().hex[:8], tmp_path / "u.db"
    events, want, reacted = workload(tenant)
    rng, kill_until = random.Random(), time.monotonic() + 40
    outside = inside = 0
    async with producer(kafka) as p:
        chunks = [events[i : i + 1000] for i in range(0, len(events), 1000)]
        feeding = asyncio.create_task(_feed(p, chunks))
        for n in range(100):
            if time.monotonic() > kill_until or (outside >= 3 and inside >= 2):
                break
            if n % 2:  # dies from inside: right after a DB commit, before the Kafka commit
                proc = worker(kafka, db, group, fault=0.5)
                await _wait_exit(proc, 15.0)
            else:  # dies from outside at a random moment
                proc = worker(kafka, db, group, fault=0.0)
                await _wait_exit(proc, rng.uniform(2.5, 4.5))  # start-up takes ~2 s
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                outside += 1
            elif proc.returncode == -signal.SIGKILL:
                inside += 1
            proc.wait()
        await feeding
    proc = worker(kafka, db, group, fault=0.0)  # the last one runs until everything is stored
    deadline = time.monotonic() + 90  # normally ~10 s; generous for a loaded 2-core machine
    try:
        while not relayed(db, tenant, len(want)) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)  # nothing more may arrive
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert outside >= 2 and inside >= 1, (outside, inside)
    _check_store(db, tenant, want, reacted)
    added = [
        e
        for e in await read_unified(kafka, CONVERSATIONS, tenant)
        if isinstance(e, un.ConversationMessageAdded)
    ]
    assert {(e.channel.kind, e.provider_message_id) for e in added} == want


def _check_store(db: Path, tenant: str, want: set[tuple[str, str]], reacted: set[str]) -> None:
    rows = query(
        db, "select channel_kind, provider_message_id from messages where tenant = ?", tenant
    )
    assert len(rows) == len(want)  # duplicates 0
    assert set(rows) == want  # stored = published
    threads = query(db, "select sum(message_count) from threads where tenant = ?", tenant)
    assert threads[0][0] == len(want)  # sum(thread message counts) == count(messages)
    assert query(db, "select count(*) from held_effects where tenant = ?", tenant)[0][0] == 0
    with_reaction = query(
        db,
        "select provider_message_id from messages where tenant = ? and reactions != '{}'",
        tenant,
    )
    assert {r[0] for r in with_reaction} == reacted


async def _feed(p: object, chunks: list[list[ev.Event]]) -> None:
    for chunk in chunks:
        await p.publish(chunk)  # type: ignore[attr-defined]
        await asyncio.sleep(0.5)


async def _wait_exit(proc: subprocess.Popen[bytes], seconds: float) -> None:
    end = time.monotonic() + seconds
    while proc.poll() is None and time.monotonic() < end:
        await asyncio.sleep(0.05)
