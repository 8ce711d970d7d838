"""Load the working set one tenant's batch needs: a fixed number of set-based queries."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import events as ev
from unifier.domain import calls as calling
from unifier.domain.bridging import EXCLUSIVE_KINDS, exclusive_slot
from unifier.domain.call_unify import as_message
from unifier.domain.effects import target_key
from unifier.domain.exchange import bounce_candidates
from unifier.domain.identity import KnownIdentity, key_of
from unifier.domain.rules import RuleSet
from unifier.domain.threading import provider_thread_key
from unifier.domain.working import MessageState, ThreadRow, UnifierInbound, WorkingSet
from unifier.store.bulk import fetch_rows
from unifier.store.call_rows import record_of
from unifier.store.dialect import chunks, select_in, values_param, when
from unifier.store.schema import (
    contacts,
    held,
    identities,
    messages,
    participants,
    suggestions,
    thread_keys,
    threads,
)
from unifier.store.schema_calls import calls

CHUNK = 2000
BUSY_THREAD = 1000  # messages: past this, a thread's participants are looked up one by one
_t = threads.c
THREAD_COLS = (  # in ThreadRow's order
    _t.thread_id,
    _t.contact_id,
    _t.channel_kind,
    _t.open,
    _t.opened_at,
    _t.last_message_at,
    _t.closed_at,
    _t.message_count,
    _t.subject,
    _t.snoozed_until,
    _t.waiting_since,
)


async def _rows(
    conn: AsyncConnection,
    tenant: str,
    cols: Sequence[sa.ColumnElement[Any]],
    column: sa.Column[Any],
    values: Iterable[str],
    order_by: sa.Column[Any] | None = None,
    also: tuple[sa.Column[Any], Iterable[str]] | None = None,
) -> list[Sequence[Any]]:
    """``cols`` of the tenant's rows whose ``column`` is one of ``values`` (chunked), and whose
    ``also[0]`` is one of ``also[1]`` when given (see ``dialect.select_in``)."""
    also_in, also_values = also or (None, ())
    name = f"in:{column.table}.{column.name}:" + ",".join(c.name for c in cols)
    name += f":also:{also_in.name}" if also_in is not None else ""
    build = select_in(conn, cols, column, order_by, also_in)
    params: dict[str, Any] = {"tenant": tenant}
    if also_in is not None:
        params["also"] = values_param(conn, sorted(also_values))
    out: list[Sequence[Any]] = []  # rows, unpacked by position (cheaper than Row attributes)
    for part in chunks(sorted(values), CHUNK):
        if part:
            params["values"] = values_param(conn, part)
            out.extend(await fetch_rows(conn, name, build, params))
    return out


async def load_working_set(
    conn: AsyncConnection, tenant: str, batch: Sequence[UnifierInbound], rules: RuleSet
) -> WorkingSet:
    ws = WorkingSet(tenant)
    called = [e for e in batch if isinstance(e, ev.CallEnvelope)]
    effects = [e for e in batch if not isinstance(e, ev.CallEnvelope)]
    await _calls(conn, ws, {e.call_id for e in called})
    # a call is decided as a message from the caller when its first event comes
    received = [e for e in effects if isinstance(e, ev.MessageReceived)]
    received += [as_message(e, calling.new_record(e)) for e in called]
    contact_ids = await _identities(conn, ws, received)
    await canonicalize(conn, ws, contact_ids)
    for key, known in ws.identities.items():
        ws.identities[key] = [_canonical(ws, k) for k in known]
    maybe, several = _matched(ws, received)
    await _exclusive(conn, ws, several)  # first: it adds the contacts merged into them
    await _suggested(conn, ws, maybe)
    await _keys(conn, ws, _wanted_keys(ws, received, rules))
    bounced = {k for e in received for k in bounce_candidates(e)}
    call_keys = {(e.channel.kind, e.call_id) for e in called}
    await _messages(conn, ws, {target_key(e) for e in effects} | bounced | call_keys)
    replied = {s.thread_id for k in bounced if (s := ws.messages.get(k)) and s.reply_id}
    rung = {s.thread_id for k in call_keys if (s := ws.messages.get(k))}
    await _threads(conn, ws, set(ws.keys.values()) | replied | rung)
    await _held(conn, ws, {target_key(e) for e in received})
    return ws


async def _identities(
    conn: AsyncConnection, ws: WorkingSet, received: list[ev.MessageReceived]
) -> set[str]:
    wanted = {key_of(i) for e in received for i in e.sender.identifiers}
    t = identities.c
    cols = (t.kind, t.value, t.level, t.contact_id)
    values = {v for _, v in wanted}
    for kind, value, level, contact_id in await _rows(conn, ws.tenant, cols, t.value, values):
        if (kind, value) in wanted:
            ws.identities.setdefault((kind, value), []).append(KnownIdentity(contact_id, level))
    return {k.contact_id for known in ws.identities.values() for k in known}


def _canonical(ws: WorkingSet, k: KnownIdentity) -> KnownIdentity:
    root = ws.canonical[k.contact_id]
    return KnownIdentity(root, k.level, k.contact_id if root != k.contact_id else "")


def _matched(ws: WorkingSet, received: list[ev.MessageReceived]) -> tuple[set[str], set[str]]:
    """The known contacts a message of the batch could suggest: several matched, or one matched
    neither at the same level nor with proof on both sides (the usual batch, a known sender
    writing again, loads no suggestions); and those whose exclusive identities decide: matched
    together with others (it may merge them), or by a message with a new exclusive identifier
    (a second user of one site sharing an email links only if the contact has no other)."""
    maybe: set[str] = set()
    several: set[str] = set()
    for e in received:
        matched: set[str] = set()
        settled, new_exclusive = False, False
        for i in e.sender.identifiers:
            level = i.trust()
            found = ws.identities.get((i.kind, i.value), ())
            for k in found:
                matched.add(k.contact_id)
                settled = settled or k.level == level or (k.links and level in ev.LINKING_LEVELS)
            new_exclusive = new_exclusive or (not found and i.kind in EXCLUSIVE_KINDS)
        if len(matched) > 1 or (matched and new_exclusive):
            several |= matched
        if len(matched) > 1 or (matched and not settled):
            maybe |= matched
    return maybe, several


async def _exclusive(conn: AsyncConnection, ws: WorkingSet, roots: set[str]) -> None:
    """The linking identities of exclusive kinds of these contacts and those merged into them
    (``domain.bridging``: what would make a merge a conflict)."""
    if not roots:
        return
    await _members(conn, ws, roots)
    ids = {cid for cid, root in ws.canonical.items() if root in roots}
    for root in roots:
        ws.exclusive[root] = set()
    t = identities.c
    cols = (t.contact_id, t.kind, t.value, t.verified)
    for cid, kind, value, verified in await _rows(conn, ws.tenant, cols, t.contact_id, ids):
        if verified and exclusive_slot(kind, value):
            ws.exclusive[ws.canonical[cid]].add((kind, value))


async def _suggested(conn: AsyncConnection, ws: WorkingSet, roots: set[str]) -> None:
    """Pairs already suggested (open, accepted or dismissed) that involve these contacts or
    contacts merged into them, as pairs of canonical contacts (a pair dismissed before one of
    its contacts was merged stays dismissed)."""
    ids = {cid for cid, root in ws.canonical.items() if root in roots}
    s, canon = suggestions.c, ws.canonical
    cols = (s.contact_id, s.suggested_contact_id, s.status)
    for column in (s.contact_id, s.suggested_contact_id):
        for x, y, status in await _rows(conn, ws.tenant, cols, column, ids):
            a, b = sorted((canon.get(x, x), canon.get(y, y)))
            ws.suggested.add((a, b))
            if status == "dismissed":
                ws.dismissed.add((a, b))


async def canonicalize(conn: AsyncConnection, ws: WorkingSet, ids: Iterable[str]) -> None:
    """Fill ws.canonical for ids, following merged_into pointers (merges never destroy)."""
    parent: dict[str, str | None] = {}
    pending = {i for i in ids if i and i not in ws.canonical}
    c = contacts.c
    while pending:
        rows = await _rows(conn, ws.tenant, (c.contact_id, c.merged_into), c.contact_id, pending)
        parent.update((cid, into) for cid, into in rows)
        pending = {p for p in parent.values() if p and p not in parent} - set(ws.canonical)
    for cid in {*parent, *(i for i in ids if i)}:
        ws.canonical.setdefault(cid, _root(cid, parent))


def _root(cid: str, parent: dict[str, str | None]) -> str:
    seen = {cid}
    while (nxt := parent.get(cid)) and nxt not in seen:
        seen.add(nxt)
        cid = nxt
    return cid


def _wanted_keys(ws: WorkingSet, received: list[ev.MessageReceived], rules: RuleSet) -> set[str]:
    keys = {"grp:contact:" + c for c in set(ws.canonical.values())}
    for e in received:
        h = e.thread
        keys |= {"mid:" + m for m in (*h.in_reply_to, *h.references)}
        if h.reply_token:
            keys.add("tok:" + h.reply_token)
        if pt := provider_thread_key(e.channel.kind, e.channel.account_id, h):
            keys.add("pt:" + pt)
        addr = e.sender.handle.lower()
        keys |= {f"grp:address:{addr}", f"grp:address:{e.channel.kind}:{addr}"}
    return keys


async def _keys(conn: AsyncConnection, ws: WorkingSet, wanted: set[str]) -> None:
    t = thread_keys.c
    rows = await _rows(conn, ws.tenant, (t.key, t.thread_id), t.key, wanted)
    ws.keys.update((key, tid) for key, tid in rows)


async def _threads(conn: AsyncConnection, ws: WorkingSet, ids: set[str]) -> None:
    """The threads, each with only those participants that are the batch's contacts (or merged
    into them): a busy shared thread has tens of thousands, and the rules only ask whether
    anyone wrote in a thread and whether this sender did."""
    t, p = threads.c, participants.c
    anyone = (
        sa.exists()
        .where(p.tenant == t.tenant, p.thread_id == t.thread_id)
        .label("has_participants")
    )
    for r in await _rows(conn, ws.tenant, (*THREAD_COLS, anyone), t.thread_id, ids):
        tid, contact, kind, is_open, opened, last, closed, count, subject, snoozed, waits, has = r
        ws.threads[tid] = ThreadRow(
            tid,
            contact,
            kind,
            bool(is_open),
            when(opened),
            when(last),
            when(closed) if closed else None,
            count,
            subject,
            has_participants=bool(has),
            snoozed_until=when(snoozed) if snoozed else None,
            waiting=waits is not None,
        )
    if not ws.threads:
        return
    members = await _members(conn, ws, set(ws.canonical.values()))
    busy = {tid for tid, row in ws.threads.items() if row.message_count > BUSY_THREAD}
    cols = (p.thread_id, p.contact_id)
    rows = await _rows(
        conn, ws.tenant, cols, p.thread_id, set(ws.threads) - busy, also=(p.contact_id, members)
    )
    for tid in sorted(busy):
        rows += await _busy_participants(conn, ws.tenant, tid, members)
    for tid, contact in rows:
        ws.threads[tid].participants.add(contact)


async def _busy_participants(
    conn: AsyncConnection, tenant: str, thread_id: str, members: set[str]
) -> list[Sequence[Any]]:
    """One busy thread's participants among ``members``, each looked up by the primary key:
    scanning all of them (as for other threads) costs more with every new participant."""
    p = participants.c
    inside = select_in(conn, (p.thread_id, p.contact_id), p.contact_id)

    def build() -> sa.Select[Any]:
        return inside().where(p.thread_id == sa.bindparam("thread"))

    out: list[Sequence[Any]] = []
    params: dict[str, Any] = {"tenant": tenant, "thread": thread_id}
    for part in chunks(sorted(members), CHUNK):
        if part:
            params["values"] = values_param(conn, part)
            out.extend(await fetch_rows(conn, "busy:participants", build, params))
    return out


async def _members(conn: AsyncConnection, ws: WorkingSet, roots: set[str]) -> set[str]:
    """The roots and every contact merged into one of them (transitively), each added to
    ws.canonical with its root."""
    c = contacts.c
    found, frontier = set(roots), set(roots)
    while frontier:
        rows = await _rows(conn, ws.tenant, (c.contact_id, c.merged_into), c.merged_into, frontier)
        frontier = {cid for cid, _ in rows} - found
        for cid, into in rows:
            ws.canonical.setdefault(cid, ws.canonical.get(into, into))
        found |= frontier
    return found


async def _messages(conn: AsyncConnection, ws: WorkingSet, keys: set[tuple[str, str]]) -> None:
    m = messages.c
    cols = (
        m.channel_kind,
        m.provider_message_id,
        m.message_id,
        m.thread_id,
        m.text,
        m.edited,
        m.deleted,
        m.reactions,
        m.status,
        m.reply_id,
        m.status_detail,
        m.history,
    )
    for r in await _rows(conn, ws.tenant, cols, m.provider_message_id, {p for _, p in keys}):
        if (r[0], r[1]) in keys:
            ws.messages[(r[0], r[1])] = message_state(r[2:])


def message_state(row: Sequence[Any]) -> MessageState:
    """A stored message as the domain sees it, from its columns (message_id, thread_id, text,
    edited, deleted, reactions, status, reply_id, status_detail, history), in that order."""
    mid, tid, text, edited, deleted, reactions, status, reply, detail, history = row
    return MessageState(
        mid,
        tid,
        text,
        bool(edited),
        bool(deleted),
        json.loads(reactions),
        status,
        reply,
        detail,
        json.loads(history) if history else [],
    )


async def _calls(conn: AsyncConnection, ws: WorkingSet, call_ids: set[str]) -> None:
    """The stored records of the batch's calls (none for a batch of messages: no query)."""
    rows = await _rows(conn, ws.tenant, list(calls.columns), calls.c.call_id, call_ids)
    ws.calls.update((rec.call_id, rec) for rec in map(record_of, rows))


async def _held(conn: AsyncConnection, ws: WorkingSet, keys: set[tuple[str, str]]) -> None:
    h = held.c
    cols = (h.channel_kind, h.target_id, h.payload)
    targets = {t for _, t in keys}
    for kind, target, payload in await _rows(
        conn, ws.tenant, cols, h.target_id, targets, order_by=h.id
    ):
        if (kind, target) in keys:
            event = ev.decode(payload)
            unexpected = ev.ReplyRequested | ev.ReplyResult | ev.AgentTyping | ev.OpsUpdate
            assert not isinstance(event, unexpected | ev.CallEnvelope)
            ws.held.setdefault((kind, target), []).append(event)
