"""Recompute conversations' SLA clocks from their stored facts and store what changed: the
clocks, the thread's SLA columns, and the events not emitted before (to the outbox, in the
caller's transaction, with ids from :mod:`unifier.domain.sla_events`). A clock row remembers
which events went out, so a second run (a replay, the scheduler after a crash) emits none
again. :func:`plan` only reads (the shadow recompute shows it); :func:`apply` writes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import unified as un
from unifier.domain.sla import Clock, Policy, Subject
from unifier.domain.sla_clocks import clocks
from unifier.domain.sla_events import (
    OUTCOMES,
    SlaEvent,
    SlaKind,
    implied,
    next_threshold,
    sla_event_id,
)
from unifier.domain.sla_facts import facts
from unifier.domain.waits import waiting_event
from unifier.service.escalation import escalate_on_warning
from unifier.service.sla_config import SlaConfig, load_config
from unifier.service.sla_specs import decode, policy_of
from unifier.service.sla_view import ThreadSla, unified_event
from unifier.store import activity_rows, sla_config_rows, sla_rows
from unifier.store.activity_rows import activity_row
from unifier.store.write import write_outbox

# Another module's step in the same transaction on each new warning (routing's escalation)
OnWarning = Callable[[AsyncConnection, str, SlaEvent], Awaitable[None]]


@dataclass(frozen=True)
class SlaHooks:
    on_warning: tuple[OnWarning, ...] = ()


# What every refresh (consumer batch, scheduler, agent command) runs in its transaction on a
# new warning unless given others (a test's): the team's escalation (``service/escalation``).
# Frozen, a tuple: nobody can add to it behind the callers' backs.
ESCALATING = SlaHooks(on_warning=(escalate_on_warning,))


@dataclass
class Inputs:
    """What one tenant's threads' clocks are computed from, loaded for all of them at once."""

    config: SlaConfig
    heads: dict[str, sla_rows.Head]
    said: dict[str, list[Any]]
    done: dict[str, list[Any]]
    labels: dict[str, set[str]]
    accounts: dict[str, str]
    cycles: dict[str, dict[int, str]]
    stored: dict[str, dict[sla_rows.Key, sla_rows.Stored]]


async def load_inputs(
    conn: AsyncConnection, tenant: str, tids: Sequence[str], *, lock: bool
) -> Inputs:
    """``lock``: the threads' rows stay locked until the transaction ends (``sla_rows.heads``)."""
    return Inputs(
        await load_config(conn, tenant),
        await sla_rows.heads(conn, tenant, tids, lock=lock),
        await sla_rows.said(conn, tenant, tids),
        await sla_rows.done(conn, tenant, tids),
        await sla_rows.labels(conn, tenant, tids),
        await sla_rows.accounts(conn, tenant, tids),
        await sla_rows.cycles(conn, tenant, tids),
        await sla_rows.stored_clocks(conn, tenant, tids),
    )


async def plan(
    conn: AsyncConnection,
    tenant: str,
    tids: Sequence[str],
    now: datetime,
    *,
    lock: bool,
    fresh: bool = False,
) -> list[ThreadSla]:
    """Each thread's clocks as of ``now`` and what storing them would change. ``lock``: a
    writer's (it will ``apply`` the plans) holds the threads' rows until it commits, so two
    recomputes of a thread never interleave; a read-only view locks nothing. ``fresh``: the
    open cycle takes the current policies (after a policy change) instead of its stored one."""
    found = await load_inputs(conn, tenant, tids, lock=lock)
    return [_thread(tenant, tid, found, now, fresh) for tid in tids if tid in found.heads]


class _Pinned:
    """The policy of each cycle, asked as the walk opens the cycles in order: the one stored
    for it (the policy it began under), else the current first match (then stored)."""

    def __init__(self, stored: dict[int, str], pick: tuple[Policy, str] | None) -> None:
        self.stored, self.pick = stored, pick
        self.chosen: dict[int, tuple[Policy | None, str]] = {}

    def __call__(self, _t: datetime) -> Policy | None:
        number = len(self.chosen) + 1
        if number in self.stored:
            spec = self.stored[number]
            self.chosen[number] = (policy_of(decode(spec)) if spec else None, spec)
        else:
            self.chosen[number] = self.pick or (None, "")
        return self.chosen[number][0]


def _thread(tenant: str, tid: str, inp: Inputs, now: datetime, fresh: bool) -> ThreadSla:
    head = inp.heads[tid]
    team = inp.config.team(head.channel_kind, inp.accounts.get(tid))
    subject = Subject(head.priority, head.channel_kind, frozenset(inp.labels.get(tid, ())), team)
    stored_cycles = dict(inp.cycles.get(tid, {}))
    if fresh and head.open and stored_cycles:
        stored_cycles.pop(max(stored_cycles))
    pinned = _Pinned(stored_cycles, inp.config.select(subject))
    history = facts(inp.said.get(tid, []), inp.done.get(tid, []))
    found = clocks(tid, history, pinned, inp.config.time_of(team), now)
    ahead = [f.at for f in history if f.at > now]
    wake = min([t for t in (next_threshold(found), min(ahead, default=None)) if t], default=None)
    stored = inp.stored.get(tid, {})
    context = {"team": team}
    found_events = _new_events(found, stored)
    return ThreadSla(
        tenant, head, found, stored, found_events, pinned.chosen, wake, context, history
    )


def _new_events(found: list[Clock], stored: dict[sla_rows.Key, sla_rows.Stored]) -> list[SlaEvent]:
    """The events the clocks imply that their rows do not record as emitted; one outcome per
    clock (breached or fulfilled), never taken back."""
    new: list[SlaEvent] = []
    for clock in found:
        key = (clock.cycle, clock.target, clock.n)
        old = {f"sla.{k}" for k in stored[key].emitted} if key in stored else set()
        for kind, at in implied(clock).items():
            if kind in old or (kind in OUTCOMES and OUTCOMES & old):
                continue
            full = (clock.conversation, clock.cycle, clock.target, clock.n)
            new.append(_event(full, kind, clock.policy, at))
    return sorted(new, key=lambda e: (e.at, e.kind, e.event_id))


def _event(key: tuple[str, int, Any, int], kind: SlaKind, policy: str, at: datetime) -> SlaEvent:
    conversation, cycle, target, n = key
    return SlaEvent(sla_event_id(key, kind), kind, conversation, cycle, target, n, policy, at)


async def apply(
    conn: AsyncConnection,
    plans: Sequence[ThreadSla],
    now: datetime,
    run: SlaHooks = ESCALATING,
) -> list[SlaEvent]:
    """Store the plans, each kind of row for all threads in one statement (a round's cost
    hardly grows with its threads): cycles, clocks, the threads' columns, the new events;
    then the hooks, per new warning in the plans' order."""
    await sla_rows.add_cycles(conn, [r for p in plans for r in p.cycle_rows()])
    await sla_rows.put_clocks(conn, [r for p in plans for r in p.clock_rows(now)])
    await sla_rows.set_sla_columns(conn, [p.column_row() for p in plans])
    await write_outbox(conn, [unified_event(p, e) for p in plans for e in p.events])
    out: list[SlaEvent] = []
    for p in plans:
        for event in p.events:
            if event.kind == "sla.warning":
                for hook in run.on_warning:
                    await hook(conn, p.tenant, event)
        out += p.events
    return out


async def refresh(
    conn: AsyncConnection,
    tenant: str,
    tids: Sequence[str],
    now: datetime,
    run: SlaHooks = ESCALATING,
    answered: Mapping[str, datetime] | None = None,
) -> list[SlaEvent]:
    """Recompute and store the threads' clocks (their facts changed, or a threshold came).
    ``answered``: threads with new customer messages (the batch's), the earliest one's time;
    a wait on the customer ends there. A tenant without policies has no clocks: only the
    waits end."""
    if not tids:
        return []
    await _clear_waiting(conn, tenant, answered or {})
    if not await sla_config_rows.policies(conn, tenant):
        return []
    return await apply(conn, await plan(conn, tenant, tids, now, lock=True), now, run)


async def _clear_waiting(
    conn: AsyncConnection, tenant: str, answered: Mapping[str, datetime]
) -> None:
    """The customer wrote: a thread waiting on them waits no more. One activity row (its id
    from the wait's start) at the message's time, or just after the wait's start if the
    message's own time is not later (its clock was behind), so the end always sorts after the
    start, in the thread and among the clocks' facts: the ``waiting_ended`` fact; and its
    ``conversation.waiting.v1`` (``by`` None)."""
    if not answered:
        return
    for tid, since in (await sla_rows.waiting(conn, tenant, sorted(answered))).items():
        await sla_rows.set_thread(conn, tenant, tid, {"waiting_since": None})
        key = un.unified_event_id(tenant, tid, since.isoformat(), "waiting_ended")
        why = {"reason": "customer message"}
        at = max(answered[tid], since + timedelta(microseconds=1))
        await activity_rows.add(
            conn, [activity_row(tenant, key, tid, at, "waiting_ended", None, why)]
        )
        await write_outbox(conn, [waiting_event(tenant, tid, since, at)])
