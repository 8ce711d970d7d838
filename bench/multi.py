"""Several unifiers in one consumer group on PostgreSQL (issue 22 §6): the drill's own parts.

- ``kill_owner`` / ``restart_owner``: kill -9 the unifier instance whose outbox relay holds the
  database's lease (the unifier and its relay child, as a host dying would), measure how long
  until another instance's relay holds it and until every inbound partition moved on (stored
  offsets advancing: only the survivor can write them), then start the instance again.
- ``same_person``: new people each writing twice at the same moment with one verified
  identifier on two partitions that two instances may hold (mail + widget: one email;
  WhatsApp + Telegram contact card: one phone), through the real edges: each must end as
  exactly one contact.
- ``identity_check``: per verified identifier, how many canonical contacts hold it (must be 1).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiosmtplib
import asyncpg
import httpx
import websockets

from hotline.topics import INBOUND_CHAT, INBOUND_EMAIL, INBOUND_SOCIAL, load_topics
from hotline_tools.devstack import demo
from hotline_tools.devstack import persona as pe
from hotline_tools.devstack.credentials import Credentials
from hotline_tools.devstack.stack import Stack
from hotline_tools.load.generator import Record
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


def acked_per_s(records: list[Record]) -> float | None:
    """Distinct messages acked by the edges per second, first due to last ack."""
    ok = [r for r in records if r.ok and r.acked_at is not None and r.retry_of is None]
    if not ok:
        return None
    span = max(r.acked_at or 0.0 for r in ok) - min(r.due for r in ok)
    return round(len(ok) / span, 1) if span > 0 else None


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
    """Every inbound partition's stored next offset (-1: none stored yet)."""
    stored = {(r[0], r[1]): r[2] for r in _fetch(dsn, OFFSETS_SQL, INBOUND)}
    counts = {t.name: t.partitions for t in load_topics() if t.name in INBOUND}
    return {(t, p): stored.get((t, p), -1) for t, n in counts.items() for p in range(n)}


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
        moved = [k for k, v in drill.offsets.items() if now[k] > v]
        drill.moved_partitions = len(moved)
        if len(moved) == len(drill.offsets):
            drill.partitions_moved_s = round(time.monotonic() - drill.killed_at, 2)
            break
        time.sleep(0.25)
    stack.restart(drill.killed)


async def same_person(
    base_port: int, smtp_port: int, people: int, at: float = 0.0, first: int = 0
) -> list[str]:
    """``people`` new customers, ``at`` seconds from now, each writing twice at the same
    moment: every other one by mail (DMARC-aligned From, the email topic) and by the widget
    (the site's signed identity with that email, the chat topic), the others by WhatsApp and
    by a Telegram contact card of her own number (both the social topic, keyed apart). Returns
    the identifier each must be one contact by: ``email:<address>`` / ``phone:<E.164>``."""
    await asyncio.sleep(at)
    creds = Credentials.current()
    widget = f"ws://127.0.0.1:{base_port + 2}/chat/ws"
    social = f"http://127.0.0.1:{base_port + 3}"
    now = int(time.time())
    sends, keys = [], []
    for n in range(FIRST_PERSON + first, FIRST_PERSON + first + people):
        p = _person(n)
        if n % 2:
            wa = pe.whatsapp_text(p, f"wamid.PAIR{n}", "by WhatsApp", creds.meta_app_secret, now)
            card = pe.telegram_shared_contact(p, n, creds.telegram_secret_token, now)
            sends += [_post(social, wa), _post(social, card)]
            keys.append(f"phone:{p.phone}")
        else:
            sends += [_mail(smtp_port, p), _widget(widget, creds.widget_secret, p)]
            keys.append(f"email:{p.email}")
    await asyncio.gather(*sends)
    return keys


async def _post(base: str, post: pe.Post, attempts: int = 50) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        for _ in range(attempts):
            with contextlib.suppress(httpx.HTTPError):
                r = await client.post(base + post.path, content=post.body, headers=post.headers)
                if r.status_code < 300:
                    return
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{post.path} was never acked")


def _person(n: int) -> pe.Persona:
    return pe.Persona(
        name=f"Pair {n}",
        email=f"pair{n}@example.test",
        phone=f"+4917{n:08d}",
        slack_user=f"UPAIR{n}",
        telegram_id=n,
        site_user=f"pair-user-{n}",
    )


async def _mail(port: int, p: pe.Persona, attempts: int = 50) -> None:
    """Like a sending server: try again on a temporary failure until accepted."""
    msg = pe.email(p, f"<pair-{p.site_user}@example.test>", "Pair", "by mail", "help@localhost")
    msg["Authentication-Results"] = (
        f"{demo.AUTHSERV_ID}; dkim=pass header.d=example.test; dmarc=pass header.from=example.test"
    )
    for _ in range(attempts):
        try:
            await aiosmtplib.send(msg, hostname="127.0.0.1", port=port, timeout=10)
            return
        except (OSError, aiosmtplib.SMTPException):
            await asyncio.sleep(0.2)
    raise RuntimeError(f"the mail of {p.email} was never accepted")


async def _widget(url: str, secret: str, p: pe.Persona, attempts: int = 50) -> None:
    token = pe.widget_identity(p, secret)
    for _ in range(attempts):
        with contextlib.suppress(OSError, TimeoutError, websockets.WebSocketException):
            frames = await demo.widget_chat(url, token, f"pair-{p.site_user}", "by the widget")
            if frames[-1].get("type") == "ack":
                return
        await asyncio.sleep(0.2)
    raise RuntimeError(f"the widget message of {p.email} was never acked")


HOLDERS_SQL = """
SELECT i.kind, i.value, count(DISTINCT coalesce(c.merged_into, c.contact_id)) AS contacts,
       count(DISTINCT i.level) FILTER (WHERE i.verified) AS linking_levels
FROM identities i JOIN contacts c ON c.tenant = i.tenant AND c.contact_id = i.contact_id
WHERE i.verified GROUP BY i.kind, i.value
"""


async def identity_check(dsn: str, people: list[str]) -> dict[str, object]:
    """Contacts per verified identifier: over the whole run, and for the same-person cases
    (``people``: ``kind:value``)."""
    values = [k.split(":", 1)[1] for k in people]
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(HOLDERS_SQL)
        stored = await conn.fetchval(
            "SELECT count(DISTINCT m.message_id) FROM messages m JOIN identities i"
            " ON i.tenant = m.tenant AND i.contact_id = m.contact_id WHERE i.value = ANY($1)",
            values,
        )
        claims = await conn.fetchval("SELECT count(*) FROM identity_claims")
        contacts = await conn.fetchval("SELECT count(*) FROM contacts")
    finally:
        await conn.close()
    holders = {f"{r['kind']}:{r['value']}": r["contacts"] for r in rows}
    each = [holders.get(k, 0) for k in people]
    return {
        "contacts": contacts,
        "identity_claims": claims,
        "verified_identifiers": len(holders),
        "identifiers_on_several_contacts": sum(1 for n in holders.values() if n > 1),
        "same_person": {
            "people": len(people),
            "messages_stored": stored,
            "verified_people": sum(1 for n in each if n > 0),
            "people_on_several_contacts": sum(1 for n in each if n > 1),
        },
    }


def races_lost(stack: Stack) -> int:
    """How many transactions lost an identity race and were decided again (the logs)."""
    logs = [stack.var / "logs" / f"{n}.log" for n in stack.services if n.startswith("unifier")]
    texts = [p.read_text(errors="replace") for p in logs if p.exists()]
    return sum(t.count("identity race lost") for t in texts)
