"""Several unifiers in one consumer group on PostgreSQL (issue 22 §6): the drill's own parts.

- ``kill_owner`` / ``restart_owner``: kill -9 the unifier instance whose outbox relay holds the
  database's lease (the unifier and its relay child, as a host dying would), measure how long
  until another instance's relay holds it and until every inbound partition moved on (stored
  offsets advancing: only the survivor can write them), then start the instance again.
- ``same_person``: new people each writing two mails at the same moment, as two conversations
  (two partition keys), through the real SMTP edge: each must end as exactly one contact.
- ``identity_check``: per verified identifier, how many canonical contacts hold it (must be 1).
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiosmtplib
import asyncpg

from hotline.topics import INBOUND_CHAT, INBOUND_EMAIL, INBOUND_SOCIAL
from hotline_tools.devstack.stack import Stack
from hotline_tools.load import payloads
from hotline_tools.load.mix import Customer, Send
from unifier.store.relay_lease import APPLICATION

OWNER_SQL = (
    "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
    " WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE $1"
)
OFFSETS_SQL = "SELECT topic, partition, next_offset FROM consumer_offsets WHERE topic = ANY($1)"
INBOUND = [INBOUND_EMAIL, INBOUND_CHAT, INBOUND_SOCIAL]
FIRST_PERSON = 90_000_000  # far above the load mix's customer numbers: new people


@dataclass
class OwnerDrill:
    """What one kill of the relay's owner showed."""

    killed: str = ""
    killed_at: float = 0.0
    offsets: dict[tuple[str, int], int] = field(default_factory=dict)
    relay_takeover_s: float | None = None
    partitions_moved_s: float | None = None
    moved_partitions: int = 0


def figures(drill: OwnerDrill) -> dict[str, object]:
    return {
        "killed": drill.killed,
        "relay_takeover_s": drill.relay_takeover_s,
        "partitions_moved_s": drill.partitions_moved_s,
        "inbound_partitions": len(drill.offsets),
        "moved_partitions": drill.moved_partitions,
    }


def _fetch(dsn: str, sql: str, *args: Any) -> list[Any]:
    async def go() -> list[Any]:
        conn = await asyncpg.connect(dsn)
        try:
            return list(await conn.fetch(sql, *args))
        finally:
            await conn.close()

    return asyncio.run(go())


def relay_owner_pid(dsn: str) -> int | None:
    """The process whose relay session holds the lease (``APPLICATION pid=N``)."""
    rows = _fetch(dsn, OWNER_SQL, APPLICATION + "%")
    return int(rows[0][0].rsplit("=", 1)[-1]) if rows else None


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def offsets(dsn: str) -> dict[tuple[str, int], int]:
    return {(r[0], r[1]): r[2] for r in _fetch(dsn, OFFSETS_SQL, INBOUND)}


def kill_owner(stack: Stack, dsn: str, drill: OwnerDrill, timeout: float = 15.0) -> None:
    relay = relay_owner_pid(dsn)
    assert relay is not None, "no relay holds the lease"
    parent = parent_of(relay)
    name = next(n for n, s in stack.services.items() if s.proc and s.proc.pid == parent)
    drill.offsets, drill.killed = offsets(dsn), name
    stack.kill9(name)
    os.kill(relay, signal.SIGKILL)
    drill.killed_at = time.monotonic()
    deadline = drill.killed_at + timeout
    while time.monotonic() < deadline:
        holder = relay_owner_pid(dsn)
        if holder is not None and holder != relay:
            drill.relay_takeover_s = round(time.monotonic() - drill.killed_at, 2)
            return
        time.sleep(0.05)


def restart_owner(stack: Stack, dsn: str, drill: OwnerDrill, timeout: float = 30.0) -> None:
    """Wait until every inbound partition has moved on since the kill, then restart."""
    deadline = drill.killed_at + timeout
    while time.monotonic() < deadline:
        now = offsets(dsn)
        moved = [k for k, v in drill.offsets.items() if now.get(k, 0) > v]
        drill.moved_partitions = len(moved)
        if len(moved) == len(drill.offsets):
            drill.partitions_moved_s = round(time.monotonic() - drill.killed_at, 2)
            break
        time.sleep(0.25)
    stack.restart(drill.killed)


async def same_person(port: int, people: int, at: float = 0.0, first: int = 0) -> list[str]:
    """``people`` new customers, each sending two new mails at once, ``at`` seconds from now;
    their addresses."""
    await asyncio.sleep(at)
    sends = []
    numbers = range(FIRST_PERSON + first, FIRST_PERSON + first + people)
    for n in numbers:
        who = Customer(n)
        sends += [
            Send(0, "email", who, f"<pair-{who.n}-{k}@example.test>", f"pair {k}") for k in (1, 2)
        ]
    await asyncio.gather(*(_deliver(port, s) for s in sends))
    return [Customer(n).email for n in numbers]


async def _deliver(port: int, send: Send, attempts: int = 50) -> None:
    """Like a sending server: try again on a temporary failure until accepted."""
    for _ in range(attempts):
        try:
            await aiosmtplib.send(
                payloads.email(send),
                sender=send.customer.email,
                recipients=[payloads.SUPPORT_ADDRESS],
                hostname="127.0.0.1",
                port=port,
                timeout=10,
            )
            return
        except (OSError, aiosmtplib.SMTPException):
            await asyncio.sleep(0.2)
    raise RuntimeError(f"mail {send.provider_id} was never accepted")


HOLDERS_SQL = """
SELECT i.kind, i.value, count(DISTINCT coalesce(c.merged_into, c.contact_id)) AS contacts,
       count(DISTINCT i.level) FILTER (WHERE i.verified) AS linking_levels
FROM identities i JOIN contacts c ON c.tenant = i.tenant AND c.contact_id = i.contact_id
WHERE i.verified GROUP BY i.tenant, i.kind, i.value
"""


async def identity_check(dsn: str, emails: list[str]) -> dict[str, object]:
    """Contacts per verified identifier: over the whole run, and for the same-person pairs."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(HOLDERS_SQL)
        stored = await conn.fetchval(
            "SELECT count(*) FROM messages WHERE sender_handle = ANY($1)", emails
        )
    finally:
        await conn.close()
    holders = {(r["kind"], r["value"]): r["contacts"] for r in rows}
    pairs = [holders.get(("email", e), 0) for e in emails]
    return {
        "verified_identifiers": len(holders),
        "identifiers_on_several_contacts": sum(1 for n in holders.values() if n > 1),
        "same_person": {
            "people": len(emails),
            "messages_stored": stored,
            "verified_people": sum(1 for n in pairs if n > 0),
            "people_on_several_contacts": sum(1 for n in pairs if n > 1),
        },
    }


def races_lost(stack: Stack) -> int:
    """How many transactions lost an identity race and were decided again (the logs)."""
    logs = [stack.var / "logs" / f"{n}.log" for n in stack.services if n.startswith("unifier")]
    texts = [p.read_text(errors="replace") for p in logs if p.exists()]
    return sum(t.count("identity race lost") for t in texts)
