"""Assignment: an agent (or the auto-assigner) gives a conversation to an agent or takes it
back. Every change is a ``conversation.assigned.v1`` through the outbox with its reason, and
an activity row in the thread; a thread no agent can take waits in the queue, said once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import unified as un
from unifier.service.commands import CommandError, event_id, known
from unifier.store import assignment_rows as rows
from unifier.store import team_rows
from unifier.store.write import write_outbox

MANUAL = "manual"
_ANY = object()  # no expectation of the current assignee


@dataclass(frozen=True)
class Why:
    """Why an assignment changes: the reason code, the team (auto) and the explanation."""

    reason: str = MANUAL
    team_id: str | None = None
    team: str | None = None
    explanation: str = ""


async def _check_agent(conn: AsyncConnection, tenant: str, agent_id: str) -> None:
    found = await rows.agent(conn, tenant, agent_id)
    if found is None:
        raise CommandError(422, "unknown_agent", f"{agent_id} is not an agent of {tenant}")
    if found.disabled:
        raise CommandError(422, "agent_disabled", f"{agent_id} is disabled")


async def assign(
    conn: AsyncConnection,
    tenant: str,
    thread_id: str,
    by: str | None,
    *,
    assignee: str | None,
    reason: str = MANUAL,
    why: Why | None = None,
    expect: str | object | None = _ANY,
) -> un.ConversationAssigned:
    """Give ``thread_id`` to ``assignee`` (None: unassign). ``by``: the agent, None for a rule.
    ``expect``: the assignee the caller saw (a rule acts only on what it looked at)."""
    why = why or Why(reason)
    current = known(
        await rows.thread_assignee(conn, tenant, thread_id, lock=True), f"conversation {thread_id}"
    )
    if assignee is not None:
        await _check_agent(conn, tenant, assignee)
    previous = current[0]
    if expect is not _ANY and previous != expect:
        raise CommandError(409, "changed", f"the conversation is now assigned to {previous}")
    if previous == assignee:
        who = assignee or "nobody"
        raise CommandError(409, "unchanged", f"the conversation is already assigned to {who}")
    return await _record(conn, tenant, thread_id, by, (previous, assignee), why)


async def _record(
    conn: AsyncConnection,
    tenant: str,
    thread_id: str,
    by: str | None,
    change: tuple[str | None, str | None],
    why: Why,
) -> un.ConversationAssigned:
    """The assignee row, the thread's activity and the event of one change (from, to)."""
    previous, assignee = change
    now = datetime.now(UTC)
    await rows.set_assignee(conn, tenant, thread_id, assignee)
    await team_rows.dequeue(conn, tenant, thread_id)
    kind = "assigned" if assignee else "unassigned"
    detail = {"reason": why.reason, "from": previous, "to": assignee}
    if why.team:
        detail |= {"team": why.team, "explanation": why.explanation}
    await rows.add_activity(conn, tenant, thread_id, kind, by, detail, now)
    event = un.ConversationAssigned(
        event_id=event_id(),
        tenant=tenant,
        occurred_at=now,
        conversation_id=thread_id,
        assignee=assignee,
        previous=previous,
        by=by,
        reason=why.reason,
        team_id=why.team_id,
    )
    await write_outbox(conn, [event])
    return event


async def wait(
    conn: AsyncConnection,
    tenant: str,
    thread_id: str,
    team: tuple[str, str],
    why: tuple[str, str],
    before: tuple[str, str] | object | None = _ANY,
) -> bool:
    """Queue a thread no agent can take (``team``: id, name; ``why``: reason, explanation;
    ``before``: its queue entry if the caller read it). The activity row is written when it
    starts waiting or the reason changes, not each round; the queue's explanation follows the
    floor (who is online, the loads). True when an activity row was written."""
    if before is _ANY:
        before = await team_rows.queued(conn, tenant, thread_id)
    now = datetime.now(UTC)
    if isinstance(before, tuple) and before[0] == why[0]:
        if before[1] != why[1]:
            await team_rows.enqueue(conn, tenant, thread_id, team[0], why, now)
        return False
    await team_rows.enqueue(conn, tenant, thread_id, team[0], why, now)
    detail = {"reason": why[0], "team": team[1], "explanation": why[1]}
    await rows.add_activity(conn, tenant, thread_id, "queued", None, detail, now)
    return True
