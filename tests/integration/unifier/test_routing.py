"""Routing with the real broker and both databases: skills first (language, category, channel),
then capacity per channel kind, then longest waiting first, only to online agents within their
working hours; a conversation nobody fits waits with the reason and is offered when capacity
frees; the queues API; escalation on an SLA warning, once per warning."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from hotline import unified as un
from hotline.topics import CONVERSATIONS
from tests.integration.unifier.harness import eventually, publish, read_unified
from tests.integration.unifier.test_assignment import (
    add_agents,
    api,
    assignees,
    signed,
    sql,
    threads_of,
)
from tests.unit.unifier.factory import T0, ident, message
from unifier.domain.sla_events import Key, SlaEvent, sla_event_id
from unifier.service.escalation import escalate_on_warning
from unifier.store import assignment_rows as rows
from unifier.store import routing_rows, team_rows
from unifier.store.schema import messages, threads
from unifier.store.schema_accounts import agents as agent_table

__all__ = ["api"]  # the fixture, shared with test_assignment
API = tuple[httpx.AsyncClient, str, FastAPI]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def mail(tenant: str, who: str, minutes: int) -> Any:
    """A customer's mail, received ``minutes`` after the factory's T0 (its waiting since)."""
    handle = f"{who}@example.test"
    return message(
        f"m-{who}-{tenant}",
        tenant=tenant,
        handle=handle,
        ids=[ident("email", handle)],
        at=timedelta(minutes=minutes),
    )


async def triage(app: FastAPI, tenant: str, who: str, language: str | None) -> str:
    """What the triage would set: the language of the conversation of customer ``who``."""
    m, t = messages.c, threads.c
    q = sa.select(m.thread_id).where(m.tenant == tenant, m.sender_handle == f"{who}@example.test")
    tid = str((await sql(app, lambda c: c.execute(q))).scalars().first())
    up = threads.update().where(t.tenant == tenant, t.thread_id == tid).values(language=language)
    await sql(app, lambda c: c.execute(up))
    return tid


def not_today() -> dict[str, list[str]]:
    """A week whose only period is on another day than today (UTC): never on shift now."""
    other = WEEKDAYS[(datetime.now(UTC).weekday() + 3) % 7]
    return {other: ["09:00-17:00"]}


async def configure(client: httpx.AsyncClient, app: FastAPI, tenant: str) -> None:
    routing = {
        "fr1": {"languages": ["fr"], "limits": {"email": 1}},
        "en1": {"languages": ["en"], "limits": {"email": 5}},
        "night": {
            "languages": ["FR", "it"],
            "hours": {"timezone": "Europe/Rome", "week": not_today()},
        },
    }
    assert (await client.put("/agents/fr1/routing", json={})).status_code == 403  # admins only
    async with signed(client, app, tenant) as (admin, _):
        bad = [
            ("fr1", {"languages": ["french"]}, 422, "bad_language"),
            ("fr1", {"channels": ["fax"]}, 422, "bad_channel"),
            ("fr1", {"limits": {"email": -1}}, 422, "bad_limit"),
            ("fr1", {"hours": {"timezone": "Mars/Olympus", "week": {}}}, 422, "bad_hours"),
            ("fr1", {"hours": {"timezone": "UTC", "week": {"mon": ["9-5"]}}}, 422, "bad_hours"),
            ("nobody", {}, 404, "not_found"),
        ]
        for agent, body, status, error in bad:
            res = await admin.put(f"/agents/{agent}/routing", json=body)
            assert (res.status_code, res.json().get("error")) == (status, error), res.text
        assert (await client.get("/agents/routing")).json() == []  # nothing changed
        for agent, body in routing.items():
            res = await admin.put(f"/agents/{agent}/routing", json=body)
            assert res.status_code == 200, res.text
        team: dict[str, Any] = {"name": "Support", "members": ["fr1", "en1", "night"]}
        team |= {"inboxes": [{"channel_kind": "email"}]}
        assert (await admin.put("/teams/t1", json=team)).status_code == 200
    listed = {r["agent_id"]: r for r in (await client.get("/agents/routing")).json()}
    assert listed["night"]["languages"] == ["fr", "it"]  # lower-cased
    assert listed["fr1"]["limits"] == {"email": 1}


@pytest.mark.parametrize("dsn", ["postgresql", "sqlite"], indirect=True)
async def test_skills_capacity_hours_and_longest_waiting(kafka: str, api: API) -> None:
    client, tenant, app = api
    await add_agents(app, tenant, 10, "fr1", "en1", "night")
    # the newer French conversation's customer sorts first by id: the order is by waiting
    await publish(
        kafka,
        [
            mail(tenant, "a-fr-new", 5),
            mail(tenant, "z-fr-old", 1),
            mail(tenant, "en", 2),
            mail(tenant, "de", 3),
            mail(tenant, "it", 4),
        ],
    )
    await threads_of(app, tenant, 5)
    tid = {
        who: await triage(app, tenant, who, lang)
        for who, lang in [
            ("a-fr-new", "fr"),
            ("z-fr-old", "fr"),
            ("en", "en"),
            ("de", "de"),
            ("it", "it"),
        ]
    }
    await configure(client, app, tenant)  # the team last: no round ran before triage

    async def placed() -> bool:
        now = await assignees(app, tenant)
        queued = await sql(app, lambda c: team_rows.queued_of(c, tenant, list(tid.values())))
        return now[tid["z-fr-old"]] == "fr1" and len(queued) == 3

    await eventually(placed)
    now = await assignees(app, tenant)
    assert (now[tid["en"]], now[tid["a-fr-new"]], now[tid["de"]], now[tid["it"]]) == (
        "en1",
        None,
        None,
        None,
    )
    queued = await sql(app, lambda c: team_rows.queued_of(c, tenant, list(tid.values())))
    assert {k: queued[tid[k]][0] for k in ("a-fr-new", "de", "it")} == {
        "a-fr-new": "all_at_capacity",  # fr1 holds one mail of 1; night is off shift
        "de": "no_skill_match",
        "it": "outside_hours",  # only night speaks Italian
    }
    assert "fr1 (1/10, email 1/1 full)" in queued[tid["a-fr-new"]][1]
    assert "night (off shift)" in queued[tid["a-fr-new"]][1]
    assert "en1 (no skill)" in queued[tid["de"]][1]
    log = await sql(app, lambda c: rows.activity_of(c, tenant, tid["z-fr-old"]))
    assert log[0]["detail"]["reason"] == "auto.round_robin"
    assert "needs email, fr, any category" in log[0]["detail"]["explanation"]

    board = (await client.get("/queues")).json()
    [support] = board
    assert [w["conversation_id"] for w in support["waiting"]] == [
        tid["de"],
        tid["it"],
        tid["a-fr-new"],
    ]  # longest waiting first
    assert [w["reason"] for w in support["waiting"]][2] == "all_at_capacity"
    fr1 = next(a for a in support["agents"] if a["agent_id"] == "fr1")
    assert fr1["per_channel"] == [{"channel_kind": "email", "open": 1, "limit": 1}]
    night = next(a for a in support["agents"] if a["agent_id"] == "night")
    assert (night["online"], night["on_shift"]) == (True, False)

    # fr1 closes the old one: capacity frees and the waiting French conversation is offered
    assert (await client.post(f"/conversations/{tid['z-fr-old']}/close")).status_code == 200

    async def offered() -> bool:
        return (await assignees(app, tenant))[tid["a-fr-new"]] == "fr1"

    await eventually(offered, timeout=10)
    log = await sql(app, lambda c: rows.activity_of(c, tenant, tid["a-fr-new"]))
    assert [a["kind"] for a in log] == ["queued", "assigned"]


def warning(conversation: str, n: int = 0) -> SlaEvent:
    key: Key = (conversation, 1, "first_response", n)
    at = datetime(2026, 12, 7, 10, 30, tzinfo=UTC)
    return SlaEvent(
        sla_event_id(key, "sla.warning"), "sla.warning", conversation, 1, "first_response", n,
        "vip", at,
    )  # fmt: skip


@pytest.mark.parametrize("dsn", ["sqlite", "postgresql"], indirect=True)
async def test_escalation_on_an_sla_warning(kafka: str, api: API) -> None:
    client, tenant, app = api
    await add_agents(app, tenant, 10, "ana", "sup")
    await add_agents(app, tenant, 10, "tier2", seen=False)
    await publish(kafka, [mail(tenant, "c1", 1), mail(tenant, "c2", 2)])
    first, second = sorted(await threads_of(app, tenant, 2))
    async with signed(client, app, tenant) as (admin, _):
        email = [{"channel_kind": "email"}]
        teams: dict[str, dict[str, Any]] = {
            "t1": {"name": "Front", "members": ["ana"], "inboxes": email},
            "t2": {"name": "Tier 2", "members": ["tier2"], "inboxes": []},
        }
        teams["t1"]["escalation"] = {"supervisor": "nobody"}
        res = await admin.put("/teams/t1", json=teams["t1"])
        assert (res.status_code, res.json()["error"]) == (422, "unknown_agent")
        teams["t1"]["escalation"] = {"supervisor": "sup"}
        for team_id, body in teams.items():
            assert (await admin.put(f"/teams/{team_id}", json=body)).status_code == 200

    async def both_ana() -> bool:
        return set((await assignees(app, tenant)).values()) == {"ana"}

    await eventually(both_ana)

    async def escalate(w: SlaEvent) -> None:
        await sql(app, lambda c: escalate_on_warning(c, tenant, w))

    # to the supervisor: assigned to them, once however often the warning comes
    for _ in range(3):
        await escalate(warning(first))
    await escalate(dataclasses.replace(warning(first, 1), kind="sla.breached"))  # not one
    assert (await assignees(app, tenant))[first] == "sup"

    # to a team: the policy changes; the next warning re-queues it in Tier 2, where it waits
    # for its member to come online
    async with signed(client, app, tenant) as (admin, _):
        body = teams["t1"] | {"escalation": {"team_id": "t2"}}
        assert (await admin.put("/teams/t1", json=body)).status_code == 200
    await escalate(warning(second))
    await escalate(warning(second))

    async def waits_in_tier2() -> bool:
        queued = await sql(app, lambda c: team_rows.queued(c, tenant, second))
        return queued is not None and queued[0] == "no_agent_online"

    await eventually(waits_in_tier2)
    assert await sql(app, lambda c: team_rows.queued_team(c, tenant, second)) == "t2"
    # Front stops taking mail: no team's inbox is of its kind, it is still offered to Tier 2
    async with signed(client, app, tenant) as (admin, _):
        body = teams["t1"] | {"escalation": {"team_id": "t2"}, "inboxes": []}
        assert (await admin.put("/teams/t1", json=body)).status_code == 200
    await sql(app, lambda c: rows.touch_agent(c, tenant, "tier2", datetime.now(UTC)))

    async def to_tier2() -> bool:
        return (await assignees(app, tenant))[second] == "tier2"

    await eventually(to_tier2)
    found: list[un.ConversationEscalated] = []

    async def two() -> bool:
        events = await read_unified(kafka, CONVERSATIONS, tenant)
        found[:] = [e for e in events if isinstance(e, un.ConversationEscalated)]
        return len(found) >= 2

    await eventually(two)
    by = {e.conversation_id: e for e in found}
    assert len(found) == 2
    assert (by[first].supervisor, by[first].team_id, by[first].previous) == ("sup", None, "ana")
    assert by[first].cause_id == warning(first).event_id
    assert by[first].event_id == un.unified_event_id(tenant, "escalated", warning(first).event_id)
    assert "first_response warning of SLA policy vip" in by[first].detail
    assert (by[second].team_id, by[second].supervisor, by[second].from_team_id) == (
        "t2",
        None,
        "t1",
    )
    log = await sql(app, lambda c: rows.activity_of(c, tenant, second))
    kinds = [(a["kind"], a["detail"].get("reason"), a["detail"].get("to")) for a in log]
    assert kinds == [
        ("assigned", "auto.round_robin", "ana"),
        ("unassigned", "escalated", None),
        ("escalated", "sla.warning", None),
        ("queued", "no_agent_online", None),
        ("assigned", "auto.round_robin", "tier2"),
    ]

    # closed: its escalation team is forgotten (reopened, it is routed afresh)
    assert await sql(app, lambda c: routing_rows.routes_of(c, tenant, [second])) == {second: "t2"}
    assert (await client.post(f"/conversations/{second}/close")).status_code == 200

    async def forgotten() -> bool:
        routes: dict[str, str] = await sql(
            app, lambda c: routing_rows.routes_of(c, tenant, [second])
        )
        return routes == {}

    await eventually(forgotten, timeout=10)

    # a supervisor since disabled: not assigned, the event says so, the caller's transaction
    # goes on (the conversation keeps its assignee)
    await add_agents(app, tenant, 10, "sup2")
    async with signed(client, app, tenant) as (admin, _):
        body = teams["t1"] | {"escalation": {"supervisor": "sup2"}}
        assert (await admin.put("/teams/t1", json=body)).status_code == 200
    a = agent_table.c
    off = agent_table.update().where(a.tenant == tenant, a.agent_id == "sup2")
    await sql(app, lambda c: c.execute(off.values(disabled_at=datetime.now(UTC))))
    stale = warning(first, 2)
    await escalate(stale)
    assert (await assignees(app, tenant))[first] == "sup"

    async def said() -> bool:
        events = await read_unified(kafka, CONVERSATIONS, tenant)
        found[:] = [
            e
            for e in events
            if isinstance(e, un.ConversationEscalated) and e.cause_id == stale.event_id
        ]
        return bool(found)

    await eventually(said)
    [event] = found
    assert (event.supervisor, event.team_id, event.previous) == (None, None, "sup")
    assert "supervisor sup2 cannot be assigned" in event.detail


@pytest.mark.parametrize("dsn", ["postgresql"], indirect=True)
async def test_a_real_sla_warning_escalates_to_the_supervisor(kafka: str, api: API) -> None:
    """The SLA engine's warning (a policy of seconds, calendar hours) escalates as the team's
    policy says, in the same transaction, once: the breach after it does not."""
    client, tenant, app = api
    await add_agents(app, tenant, 10, "ana", "sup")
    fast: dict[str, Any] = {"name": "fast", "channel_kinds": ["email"], "first_response": "20s"}
    fast |= {"hours": "calendar", "warn_at": 0.5}
    res = await client.put("/sla/policies", json={"policies": [fast]})
    assert res.status_code == 200, res.text
    async with signed(client, app, tenant) as (admin, _):
        team: dict[str, Any] = {
            "name": "Front",
            "members": ["ana"],
            "inboxes": [{"channel_kind": "email"}],
        }
        team |= {"escalation": {"supervisor": "sup"}}
        assert (await admin.put("/teams/t1", json=team)).status_code == 200
    at = datetime.now(UTC) - T0
    handle = "late@example.test"
    await publish(kafka, [message(f"m-late-{tenant}", tenant=tenant, handle=handle, at=at,
                                  ids=[ident("email", handle)])])  # fmt: skip
    [tid] = await threads_of(app, tenant, 1)

    holder: list[str | None] = []

    async def to_ana() -> bool:
        holder[:] = [(await assignees(app, tenant))[tid]]
        return holder == ["ana"]

    try:
        await eventually(to_ana, timeout=10)  # before the warning, 10 s after the message
    except AssertionError:  # "sup": the warning (due from the message's time) came first
        raise AssertionError(f"not assigned to ana before the warning: {holder}") from None
    sla: list[un.UnifiedEvent] = []

    async def breached() -> bool:
        sla[:] = [
            e
            for e in await read_unified(kafka, CONVERSATIONS, tenant)
            if isinstance(e, un.SlaWarning | un.SlaBreached | un.ConversationEscalated)
        ]
        return any(isinstance(e, un.SlaBreached) for e in sla)

    await eventually(breached, timeout=45)  # due 20 s after the message
    await asyncio.sleep(1.0)  # more scheduler rounds
    sla[:] = [
        e
        for e in await read_unified(kafka, CONVERSATIONS, tenant)
        if isinstance(e, un.SlaWarning | un.ConversationEscalated)
    ]
    [warned] = [e for e in sla if isinstance(e, un.SlaWarning)]
    [escalated] = [e for e in sla if isinstance(e, un.ConversationEscalated)]
    assert (escalated.conversation_id, escalated.cause_id) == (tid, warned.event_id)
    assert (escalated.supervisor, escalated.previous, escalated.from_team_id) == (
        "sup",
        "ana",
        "t1",
    )
    assert (await assignees(app, tenant))[tid] == "sup"
