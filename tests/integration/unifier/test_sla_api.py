"""The SLA API's refusals (bad policies and calendars 422, unknown conversations 404, a wait
set twice 409, each changing nothing), a stored calendar's iCal import (the clocks count on it;
bad files 400/413/422 and nothing changed) and the on_warning hook running inside the
transaction that writes the warning."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tests.integration.unifier.harness import decide_batch, eventually, publish, settings_for
from tests.integration.unifier.server import serving
from tests.unit.unifier.factory import T0, ident, message
from unifier.domain.sla_events import SlaEvent
from unifier.entrypoints.app import create_app
from unifier.service import sla_admin, sla_refresh
from unifier.store.schema import outbox

GOOD = {"name": "std", "first_response": "1h", "hours": "calendar"}
CALENDAR = {"timezone": "Europe/Paris", "week": {"mon": ["09:00-17:00"]}}
WORKDAYS = ("mon", "tue", "wed", "thu", "fri")
PARIS_10H = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday 10:00 in Paris


@pytest.fixture
async def api(kafka: str, dsn: str) -> AsyncIterator[httpx.AsyncClient]:
    tenant = "a" + uuid.uuid4().hex[:8]
    app = create_app(settings_for(kafka, dsn, api_tokens={tenant: SecretStr("tok")}))
    await publish(kafka, [message("m1", tenant=tenant, ids=[ident("email", "a@x.test")])])
    async with (
        serving(app) as base,
        httpx.AsyncClient(
            base_url=f"{base}/api/tenants/{tenant}", headers={"Authorization": "Bearer tok"}
        ) as client,
    ):

        async def stored() -> bool:
            return len((await client.get("/conversations")).json()) == 1

        await eventually(stored)
        yield client


@pytest.mark.parametrize("dsn", ["postgresql"], indirect=True)
async def test_refusals_change_nothing(api: httpx.AsyncClient) -> None:
    assert (await api.put("/sla/policies", json={"policies": [GOOD]})).status_code == 200
    for bad in (
        [{"name": "x", "first_response": "soon"}],
        [{"name": "x", "first_response": "1d"}],  # business hours have no fixed day
        [{"name": "x", "warn_at": 1.5}],
        [{"name": "x", "colour": "red"}],
        [GOOD, GOOD],
    ):
        answer = await api.put("/sla/policies", json={"policies": bad})
        assert answer.status_code == 422, (bad, answer.text)
        assert answer.json()["error"] == "bad_policy"
    assert [p["name"] for p in (await api.get("/sla/policies")).json()] == ["std"]

    assert (await api.put("/sla/calendars/paris", json=CALENDAR)).status_code == 200
    bad_zone = {"timezone": "Mars/Olympus", "week": {}}
    assert (await api.put("/sla/calendars/mars", json=bad_zone)).status_code == 422
    assert (await api.put("/sla/calendars/x y", json=CALENDAR)).status_code == 422
    team = await api.put("/sla/teams/t1/calendar", json={"calendar": "nowhere"})
    assert team.status_code == 422
    assert list((await api.get("/sla/calendars")).json()) == ["paris"]
    assert (await api.delete("/sla/calendars/mars")).status_code == 404

    [conv] = (await api.get("/conversations")).json()
    tid = conv["thread_id"]
    assert (
        await api.post("/conversations/nope/waiting", json={"waiting": True})
    ).status_code == 404
    assert (await api.get("/conversations/nope/sla")).status_code == 404
    assert (
        await api.post(f"/conversations/{tid}/waiting", json={"waiting": False})
    ).status_code == 409
    assert (
        await api.post(f"/conversations/{tid}/waiting", json={"waiting": True})
    ).status_code == 200
    assert (
        await api.post(f"/conversations/{tid}/waiting", json={"waiting": True})
    ).status_code == 409
    state = (await api.get(f"/conversations/{tid}/sla")).json()
    assert state["waiting_since"] is not None
    # the message is from T0, weeks ago: the one-hour first response breached before the wait
    assert [(c["target"], c["state"]) for c in state["clocks"]] == [("first_response", "breached")]
    assert state["status"] == "breached"


async def test_on_warning_runs_in_the_writing_transaction(engine: AsyncEngine) -> None:
    tenant, now = "w" + uuid.uuid4().hex[:8], datetime.now(UTC)
    asked = message("q1", tenant=tenant, ids=[ident("email", "b@x.test")], at=now - T0)
    [tid] = (await decide_batch(engine, tenant, [asked])).touched_threads
    seen: list[tuple[str, str, int]] = []

    async def escalate(conn: AsyncConnection, who: str, event: SlaEvent) -> None:
        q = sa.select(sa.func.count()).where(outbox.c.event_id == event.event_id)
        seen.append((who, event.kind, (await conn.execute(q)).scalar_one()))

    hooks = sla_refresh.SlaHooks(on_warning=(escalate,))
    async with engine.begin() as conn:
        await sla_admin.set_policies(conn, tenant, [GOOD | {"warn_at": 0.5}])
        await sla_refresh.refresh(conn, tenant, [tid], now, hooks)
        assert seen == []  # no warning yet
        later = now + timedelta(minutes=31)
        await sla_refresh.refresh(conn, tenant, [tid], later, hooks)
        await sla_refresh.refresh(conn, tenant, [tid], later, hooks)  # nothing new
    assert seen == [(tenant, "sla.warning", 1)]  # its outbox row, seen from inside


HOLIDAYS_ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//hotline tests//EN\r\n"
    "BEGIN:VEVENT\r\nUID:all-souls\r\nSUMMARY:All Souls\r\nDTSTART;VALUE=DATE:20201102\r\n"
    "RRULE:FREQ=YEARLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
BUSINESS = {"name": "biz", "first_response": "1h"}
OFFICE = {"timezone": "Europe/Paris", "week": {d: ["09:00-17:00"] for d in WORKDAYS}}


async def _due(api: httpx.AsyncClient, tid: str) -> datetime:
    return datetime.fromisoformat((await api.get(f"/conversations/{tid}/sla")).json()["due_at"])


@pytest.mark.parametrize("dsn", ["sqlite", "postgresql"], indirect=True)
async def test_an_ical_import_closes_a_stored_calendar(api: httpx.AsyncClient) -> None:
    """The message came Sunday 2026-11-01 09:00 UTC: 1 h of business time is due Monday 10:00
    in Paris, and Tuesday 10:00 once the imported yearly holiday closes Monday 2 November."""
    assert (await api.put("/sla/policies", json={"policies": [BUSINESS]})).status_code == 200
    assert (await api.put("/sla/calendars/default", json=OFFICE)).status_code == 200
    [conv] = (await api.get("/conversations")).json()
    tid, monday, tuesday = conv["thread_id"], PARIS_10H, PARIS_10H + timedelta(days=1)
    assert await _due(api, tid) == monday

    for body, status in (
        (b"", 400),
        (b"not a calendar", 422),
        (HOLIDAYS_ICS.replace("YEARLY", "HOURLY").encode(), 422),
        (HOLIDAYS_ICS.encode("utf-16"), 422),
        (HOLIDAYS_ICS.encode() + b" " * 1_048_576, 413),
    ):
        answer = await api.put("/sla/calendars/default/ical", content=body)
        assert answer.status_code == status, answer.text
        assert (await api.get("/sla/calendars/default/ical")).status_code == 404
        assert await _due(api, tid) == monday
    missing = await api.put("/sla/calendars/nowhere/ical", content=HOLIDAYS_ICS.encode())
    assert missing.status_code == 404

    done = await api.put(
        "/sla/calendars/default/ical",
        content=HOLIDAYS_ICS.encode(),
        headers={"Content-Type": "text/calendar"},
    )
    assert done.status_code == 200, done.text
    assert done.json()["closed_dates"] >= 16  # 2020 ... ten years after today
    assert (await api.get("/sla/calendars/default/ical")).text == HOLIDAYS_ICS
    assert await _due(api, tid) == tuesday

    # a bad new import and a new spec keep the import; removing it reopens Monday
    assert (await api.put("/sla/calendars/default/ical", content=b"junk")).status_code == 422
    assert (await api.put("/sla/calendars/default", json=OFFICE)).status_code == 200
    assert (await api.get("/sla/calendars/default/ical")).text == HOLIDAYS_ICS
    assert await _due(api, tid) == tuesday
    assert (await api.delete("/sla/calendars/default/ical")).status_code == 200
    assert (await api.delete("/sla/calendars/default/ical")).status_code == 404
    assert await _due(api, tid) == monday
