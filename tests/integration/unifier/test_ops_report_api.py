"""The operations report over HTTP, on both databases: conversations built through the
unifier's normal path (customer and agent messages and a missed call from Kafka, an agent's
assign / close / reopen over the API) and the report's figures checked exactly."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from hotline import events as ev
from tests.integration.unifier.harness import eventually, publish, settings_for
from tests.integration.unifier.server import serving
from tests.unit.unifier.call_factory import Call
from tests.unit.unifier.factory import T0, ident, message
from tests.workspace import create_agent
from unifier.entrypoints.app import create_app
from unifier.service.teams import set_team

H, MIN = timedelta(hours=1), timedelta(minutes=1)
COUNTS = ("opened", "closed", "reopened", "backlog", "abandoned", "missed_calls", "callbacks_owed")
TIMES = ("first_response_p50", "first_response_p90", "first_response_mean", "resolution_p50")


@dataclass(frozen=True)
class Desk:
    api: httpx.AsyncClient
    ana: str  # the agent the first conversation is assigned to
    resolved_s: float  # that conversation's opening to its second close, as stored
    responses: list[float]  # Alice's and Bob's first response, as stored
    window: dict[str, str]


def _customer(tenant: str, pmid: str, kind: ev.ChannelKind, who: str, at: timedelta) -> ev.Event:
    ids = [ident("phone" if kind == "whatsapp" else "email", who)]
    return message(pmid, kind, handle=who, ids=ids, at=at, tenant=tenant)


async def _threads(api: httpx.AsyncClient, messages: int) -> list[dict[str, Any]]:
    """The four conversations, oldest first, once they hold ``messages`` in all."""
    found: list[dict[str, Any]] = []

    async def stored() -> bool:
        found[:] = (await api.get("/conversations")).json()
        return len(found) == 4 and sum(c["message_count"] for c in found) == messages

    await eventually(stored)
    return sorted(found, key=lambda c: str(c["opened_at"]))


async def _build(kafka: str, tenant: str, api: httpx.AsyncClient) -> list[dict[str, Any]]:
    """Alice (email), Bob (email, an hour later), Carol (WhatsApp, 2 h), a missed call (3 h);
    oldest first."""
    missed = Call("CA1", "+4915100000009", tenant=tenant)
    await publish(
        kafka,
        [
            _customer(tenant, "m1", "email", "alice@example.test", 0 * H),
            _customer(tenant, "b1", "email", "bob@example.test", 1 * H),
            _customer(tenant, "c1", "whatsapp", "+4915100000003", 2 * H),
            missed.started(3 * 3600),
            missed.ended(3 * 3600 + 30, "no_answer", talk=None),
        ],
    )
    return await _threads(api, 4)


async def _answer(api: httpx.AsyncClient, conv: dict[str, Any]) -> float:
    """An agent's reply (the API's): the seconds from the customer's message to it, as stored."""
    tid = conv["thread_id"]
    res = await api.post(f"/conversations/{tid}/replies", json={"text": "On it"})
    assert res.status_code == 202, res.text
    [asked, answer] = (await api.get(f"/conversations/{tid}")).json()["messages"]
    assert (asked["role"], answer["role"]) == ("customer", "agent")
    return (_at(answer["at"]) - _at(asked["at"])).total_seconds()


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def _handle_alice(api: httpx.AsyncClient, tid: str, ana: str) -> float:
    """Assign, close, reopen, close: the seconds from opening to the last close."""
    assert (await api.post(f"/conversations/{tid}/assign", json={"assignee": ana})).is_success
    for step in ("close", "reopen", "close"):
        assert (await api.post(f"/conversations/{tid}/{step}")).is_success
    view = (await api.get(f"/conversations/{tid}")).json()
    return (_at(view["closed_at"]) - _at(view["opened_at"])).total_seconds()


@pytest.fixture
async def desk(kafka: str, dsn: str) -> AsyncIterator[Desk]:
    tenant = "r" + uuid.uuid4().hex[:8]
    app = create_app(settings_for(kafka, dsn, api_tokens={tenant: SecretStr("tok-" + tenant)}))
    async with (
        serving(app) as base,
        httpx.AsyncClient(
            base_url=f"{base}/api/tenants/{tenant}",
            headers={"Authorization": f"Bearer tok-{tenant}"},
            timeout=15,
        ) as api,
    ):
        alice, bob, *_ = await _build(kafka, tenant, api)
        responses = [await _answer(api, alice), await _answer(api, bob)]
        ana = (await create_agent(app, tenant, name="Ana", role="agent")).agent_id
        async with app.state.runtime.engine.begin() as conn:  # the mail desk takes email
            await set_team(conn, tenant, ("mail", "Mail desk", False), [ana], [("email", "*")])
        resolved = await _handle_alice(api, alice["thread_id"], ana)
        end = datetime.now(UTC) + H
        window = {"from": (T0 - H).isoformat(), "to": end.isoformat()}
        yield Desk(api, ana, resolved, responses, window)


def _figures(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["key"], *(row[k] for k in COUNTS), *(row[k] for k in TIMES))


async def _report(desk: Desk, **extra: str) -> dict[str, Any]:
    res = await desk.api.get("/reports/operations", params=desk.window | extra)
    assert res.status_code == 200, res.text
    body: dict[str, Any] = res.json()
    return body


async def _checks(desk: Desk) -> None:
    by_channel = await _report(desk)
    r, (fast, slow) = desk.resolved_s, sorted(desk.responses)
    answered = (fast, slow, (fast + slow) / 2, r)
    assert [_figures(row) for row in by_channel["rows"]] == [
        ("email", 2, 1, 1, 1, 0, 0, 0, *answered),
        ("voice", 1, 0, 0, 1, 0, 1, 1, None, None, None, None),
        ("whatsapp", 1, 0, 0, 1, 1, 0, 0, None, None, None, None),
    ]
    assert _figures(by_channel["total"]) == ("total", 4, 1, 1, 3, 1, 1, 1, *answered)
    assert by_channel["rows"][0]["reopen_rate"] == 1.0
    by_agent = await _report(desk, group="agent")
    assert [(row["key"], row["label"], row["opened"]) for row in by_agent["rows"]] == [
        ("(unassigned)", "(unassigned)", 3),
        (desk.ana, "Ana", 1),
    ]
    by_team = await _report(desk, group="team")
    assert [(row["key"], row["label"], row["opened"]) for row in by_team["rows"]] == [
        ("(no team)", "(no team)", 2),
        ("mail", "Mail desk", 2),
    ]
    by_weekday = await _report(desk, group="weekday")  # 1 Nov 2026 was a Sunday
    assert [(row["key"], row["opened"]) for row in by_weekday["rows"]][-2:] == [
        ("Sat", 0),
        ("Sun", 4),
    ]
    total = by_channel["total"]
    assert (total["sla_fulfilled"], total["sla_breached"], total["sla_attainment"]) == (0, 0, None)
    assert (total["csat_answers"], total["csat_mean"]) == (0, None)
    for tz, hours in (
        (None, ["09", "10", "11", "12"]),
        ("Europe/Berlin", ["10", "11", "12", "13"]),
    ):
        by_hour = await _report(desk, group="hour", **({"tz": tz} if tz else {}))
        assert len(by_hour["rows"]) == 24
        assert [row["key"] for row in by_hour["rows"] if row["opened"]] == hours


async def _filters(desk: Desk) -> None:
    for only, opened, abandoned in (
        ({"channel": "email"}, 2, 0),
        ({"team": "mail"}, 2, 0),
        ({"team": "(no team)"}, 2, 1),
        ({"agent": desk.ana}, 1, 0),
        ({"channel": "whatsapp", "agent": desk.ana}, 0, 0),
    ):
        total = (await _report(desk, **only))["total"]
        assert (total["opened"], total["abandoned"]) == (opened, abandoned), only
    res = await desk.api.get("/reports/operations.csv", params=desk.window | {"team": "mail"})
    table = list(csv.reader(io.StringIO(res.text)))
    assert [row[:3] for row in table[1:]] == [["email", "email", "2"], ["total", "total", "2"]]


async def _csv_matches(desk: Desk) -> None:
    res = await desk.api.get("/reports/operations.csv", params=desk.window)
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(res.text)))
    body = await _report(desk)
    assert table[0] == list(body["total"])
    assert [row[0] for row in table[1:]] == ["email", "voice", "whatsapp", "total"]
    mean = body["rows"][0]["first_response_mean"]
    assert table[1][table[0].index("first_response_mean")] == str(mean)
    assert table[2][table[0].index("first_response_p50")] == ""


async def _bad_windows(desk: Desk) -> None:
    start = desk.window["from"]
    far = (T0 + timedelta(days=400)).isoformat()
    for params in (
        {"from": start, "to": start},
        {"from": start, "to": far},
        desk.window | {"tz": "Nowhere/Atlantis"},
        desk.window | {"group": "month"},
        desk.window | {"tz": "Europe/" + "x" * 80},
    ):
        res = await desk.api.get("/reports/operations", params=params)
        assert res.status_code == 422, params
    res = await desk.api.get("/reports/operations.csv", params={"from": far, "to": start})
    assert res.status_code == 422
    anonymous = await desk.api.get(
        "/reports/operations", params=desk.window, headers={"Authorization": ""}
    )
    assert anonymous.status_code == 401


@pytest.mark.parametrize("dsn", ["sqlite"], indirect=True)
async def test_report_figures_on_sqlite(desk: Desk) -> None:
    await _checks(desk)
    await _filters(desk)
    await _csv_matches(desk)


@pytest.mark.parametrize("dsn", ["postgresql"], indirect=True)
async def test_report_figures_on_postgresql(desk: Desk) -> None:
    await _checks(desk)
    await _filters(desk)
    await _bad_windows(desk)
