"""The operations report page in a real Chromium (the agent in Tokyo): three customers write in
through the real edges (Alice by mail over SMTP, Bob and Carol by signed WhatsApp webhooks);
Ana answers and closes Alice's conversation on the workspace's pages, Bob's is answered,
assigned, closed and reopened over the API, Carol's is left without an answer; SLA policies
make Alice's first response late. The page's totals (SLA attainment among them),
its charts (server-side SVG, a figures table beside each), the hour buckets in the browser's
zone, the team and agent breakdowns, a filter and the CSV link are checked against the
conversations as stored; a hostile team name stays text."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI
from playwright.async_api import Browser, Dialog, Page, async_playwright, expect
from pydantic import SecretStr

from tests.browser import ARGS, CHROMIUM
from tests.e2e.workspace.a11y import assert_accessible, screenshot
from tests.e2e.workspace.customers import Customers
from tests.integration.unifier.harness import eventually, settings_for
from tests.integration.unifier.server import serving
from tests.workspace import SignedIn, create_agent, sign_in_as
from unifier.entrypoints.app import create_app
from unifier.entrypoints.web.report_charts import duration
from unifier.service.teams import set_team

TOKYO = ZoneInfo("Asia/Tokyo")
POLICIES = [  # mail: answered within 1 s (never, here) and resolved within an hour; chat: 1 h
    {"name": "mail", "channel_kinds": ["email"], "first_response": "1s", "resolution": "1h",
     "hours": "calendar"},
    {"name": "chat", "channel_kinds": ["whatsapp"], "first_response": "1h", "hours": "calendar"},
]  # fmt: skip
HOSTILE_TEAM = "Mail <img src=x onerror=alert(1)>{{7*7}}"


@dataclass
class Desk:
    app: FastAPI
    base: str
    tenant: str
    api: httpx.AsyncClient
    browser: Browser
    ana: SignedIn
    rui: SignedIn


@contextlib.asynccontextmanager
async def desk(kafka: str, customers: Customers, tmp_path: Path) -> AsyncIterator[Desk]:
    tenant = customers.tenant()
    settings = settings_for(
        kafka,
        f"sqlite:///{tmp_path}/u.db",
        api_tokens={tenant: SecretStr("tok-" + tenant)},
        sla_poll_seconds=0.2,
    )
    app = create_app(settings)
    async with serving(app) as base, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        api = httpx.AsyncClient(
            base_url=f"{base}/api/tenants/{tenant}",
            headers={"Authorization": f"Bearer tok-{tenant}"},
            timeout=10,
        )
        policies = await api.put("/sla/policies", json={"policies": POLICIES})
        assert policies.status_code == 200, policies.text
        ana = await create_agent(app, tenant, name="Ana Lima")
        rui = await create_agent(app, tenant, name="Rui", role="agent")
        async with app.state.runtime.engine.begin() as conn:  # the mail team takes the mailbox
            await set_team(
                conn, tenant, ("mail", HOSTILE_TEAM, False), [ana.agent_id], [("email", "*")]
            )
        try:
            yield Desk(app, base, tenant, api, browser, ana, rui)
        finally:
            await api.aclose()
            await browser.close()


async def stored(d: Desk, count: int, messages: int) -> dict[str, dict[str, Any]]:
    """The conversations by their first message's text, once ``count`` hold ``messages``."""
    found: list[dict[str, Any]] = []

    async def ready() -> bool:
        found[:] = (await d.api.get("/conversations")).json()
        return len(found) == count and sum(c["message_count"] for c in found) == messages

    await eventually(ready)
    out = {}
    for conv in found:
        detail = (await d.api.get(f"/conversations/{conv['thread_id']}")).json()
        out[detail["messages"][0]["text"]] = detail
    return out


async def agent_page(d: Desk) -> tuple[Page, list[str]]:
    context = await d.browser.new_context(timezone_id="Asia/Tokyo")
    await sign_in_as(context, d.base, d.ana)
    page = await context.new_page()
    dialogs: list[str] = []

    def seen(dialog: Dialog) -> None:
        if dialog.type != "confirm":
            dialogs.append(dialog.message)
        asyncio.get_running_loop().create_task(dialog.accept())

    page.on("dialog", seen)
    return page, dialogs


async def answer_in_the_workspace(page: Page, d: Desk, tid: str) -> None:
    """Ana replies on the thread page and closes on the actions page."""
    await page.goto(f"{d.base}/inbox/conversations/{tid}")
    await page.wait_for_selector("body[data-live=connected]", timeout=10_000)
    await page.locator("#tab-reply").click()
    await page.fill("#reply-text", "Your parcel left today")
    await page.locator("#reply button[type=submit]").click()
    await expect(page.locator("#reply-status")).to_have_text("Sent on email.")
    await page.goto(f"{d.base}/inbox/conversations/{tid}/actions")
    await page.click("[data-shortcut=e]")
    await page.wait_for_selector(".state[data-state=closed]")


async def answer_over_the_api(d: Desk, tid: str) -> None:
    res = await d.api.post(f"/conversations/{tid}/replies", json={"text": "Checking"})
    assert res.status_code == 202, res.text
    assign = await d.api.post(f"/conversations/{tid}/assign", json={"assignee": d.rui.agent_id})
    assert assign.is_success, assign.text
    for step in ("close", "reopen"):
        assert (await d.api.post(f"/conversations/{tid}/{step}")).is_success


def first_response(conv: dict[str, Any]) -> float:
    asked, answer = conv["messages"][0], conv["messages"][1]
    assert (asked["role"], answer["role"]) == ("customer", "agent")
    at = datetime.fromisoformat
    return (at(answer["at"]) - at(asked["at"])).total_seconds()


async def totals(page: Page) -> dict[str, str]:
    cells = await page.locator("#totals tr").evaluate_all(
        "rows => rows.map(r => [r.dataset.figure, r.querySelector('td').textContent.trim()])"
    )
    return dict(cells)


async def chart_figures(page: Page, figure: str) -> list[tuple[str, str]]:
    """The (label, figure) rows of the chart's table; the SVG's bars must say the same."""
    chart = page.locator(f"#chart-{figure}")
    table = await chart.locator("table.figures tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
    )
    bars = await chart.locator("svg g.bar rect title").all_text_contents()
    assert bars == [f"{label}: {text}" for label, text in table]
    assert await chart.locator("svg[role=img] > title").count() == 1
    return [(label, text) for label, text in table]


async def show(page: Page, d: Desk, **params: str) -> None:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    await page.goto(f"{d.base}/reports?{query}")
    await page.wait_for_selector("#totals")


async def test_report_page_figures_charts_and_csv(
    kafka: str, customers: Customers, tmp_path: Path
) -> None:
    async with desk(kafka, customers, tmp_path) as d:
        await customers.mail(d.tenant, "alice@example.test", "Late parcel", "Where is it?")
        await customers.whatsapp(d.tenant, "+4915100000001", "charged twice", name="Bob")
        await customers.whatsapp(d.tenant, "+4915100000002", "hello?", name="Carol")
        convs = await stored(d, 3, 3)
        page, dialogs = await agent_page(d)
        await asyncio.sleep(1.5)  # Alice's first response is due 1 s after her mail
        await answer_in_the_workspace(page, d, convs["Where is it?"]["thread_id"])
        await answer_over_the_api(d, convs["charged twice"]["thread_id"])
        convs = await stored(d, 3, 3)  # (message_count counts the customers' messages)
        responses = sorted(first_response(convs[t]) for t in ("Where is it?", "charged twice"))

        # opened without a zone: the page asks again in the browser's (Tokyo), as snoozes do
        await page.goto(f"{d.base}/reports")
        await page.wait_for_url("**/reports?tz=Asia%2FTokyo", timeout=10_000)
        await page.wait_for_selector("#totals")
        today = datetime.now(TOKYO).date().isoformat()
        assert await page.locator("input[name=last]").input_value() == today
        got = await totals(page)
        assert got["opened"] == "3"
        assert got["first_response_p50"] == duration(responses[0])  # nearest rank of two
        assert got["first_response_p90"] == duration(responses[1])
        assert got["reopen_rate"] == "50 %"  # Bob's of the two ever closed
        assert got["backlog"] == "2"  # Bob (reopened) and Carol
        assert got["abandonment_rate"] == "33 %" and got["abandoned"] == "1"  # Carol
        assert got["closed"] == "2 / 1"
        # SLA: Alice's first response breached, her resolution and Bob's first response in
        # time; Carol's clock still runs (no outcome yet)
        assert got["sla_attainment"] == "67 %"
        assert await chart_figures(page, "sla_attainment") == [
            ("Email", "50 %"),
            ("WhatsApp", "100 %"),
        ]
        assert got["csat_mean"] == "–"  # no survey answered
        assert await chart_figures(page, "csat_mean") == [("Email", "–"), ("WhatsApp", "–")]

        by_channel = await chart_figures(page, "opened")
        assert by_channel == [("Email", "1"), ("WhatsApp", "2")]
        assert await chart_figures(page, "abandonment_rate") == [
            ("Email", "0 %"),
            ("WhatsApp", "50 %"),
        ]
        widths = await page.locator("#chart-opened svg rect").evaluate_all(
            "rects => rects.map(r => Number(r.getAttribute('width')))"
        )
        assert widths[1] == 2 * widths[0] > 0  # bars to scale
        await assert_accessible(page)
        await screenshot(page, "report-by-channel")

        # hours of the day in Tokyo: every hour shown, the three openings in their Tokyo hour
        await show(page, d, tz="Asia/Tokyo", group="hour")
        hours = await chart_figures(page, "opened")
        assert [h for h, _ in hours] == [f"{h:02d}" for h in range(24)]
        expected: dict[str, int] = {}
        for conv in convs.values():
            hour = f"{datetime.fromisoformat(conv['opened_at']).astimezone(TOKYO).hour:02d}"
            expected[hour] = expected.get(hour, 0) + 1
        assert {h: int(n) for h, n in hours if n != "0"} == expected

        # weekdays in Tokyo: all seven, the openings on their Tokyo weekday
        await show(page, d, tz="Asia/Tokyo", group="weekday")
        days = await chart_figures(page, "opened")
        assert [day for day, _ in days] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        weekdays = [
            datetime.fromisoformat(c["opened_at"]).astimezone(TOKYO) for c in convs.values()
        ]
        expected = {}
        for at in weekdays:
            expected[at.strftime("%a")] = expected.get(at.strftime("%a"), 0) + 1
        assert {day: int(n) for day, n in days if n != "0"} == expected

        # teams (the hostile name stays text) and agents (the assignee, else who replied)
        await show(page, d, tz="Asia/Tokyo", group="team")
        assert await chart_figures(page, "opened") == [("(no team)", "2"), (HOSTILE_TEAM, "1")]
        assert await page.locator("#chart-opened svg img, #chart-opened img").count() == 0
        await show(page, d, tz="Asia/Tokyo", group="agent")
        by_agent = await chart_figures(page, "opened")  # in the order of the agents' ids
        assert sorted(by_agent) == [("(unassigned)", "1"), ("Ana Lima", "1"), ("Rui", "1")]

        # a filter from the form: Rui's conversations only
        await page.select_option("select[name=agent]", label="Rui")
        await page.click(".report-filters button[type=submit]")
        await page.wait_for_url("**agent=*")
        got = await totals(page)
        assert (got["opened"], got["backlog"], got["reopen_rate"]) == ("1", "1", "100 %")

        # the CSV link: the same figures (the API's CSV, on the session)
        href = await page.locator("#report-csv").get_attribute("href")
        assert href and href.startswith(f"/api/tenants/{d.tenant}/reports/operations.csv?")
        res = await page.request.get(d.base + href)
        assert res.ok and res.headers["content-type"].startswith("text/csv")
        table = list(csv.DictReader(io.StringIO(await res.text())))
        assert [(r["key"], r["label"], r["opened"], r["backlog"]) for r in table] == [
            (d.rui.agent_id, "Rui", "1", "1"),
            ("total", "total", "1", "1"),
        ]
        assert table[-1]["reopen_rate"] == "1.0" and table[-1]["sla_attainment"] == "1.0"
        assert (table[-1]["csat_answers"], table[-1]["csat_mean"]) == ("0", "")

        # a bad period is a clear answer, nothing else
        await page.goto(f"{d.base}/reports?first=2026-01-02&last=2026-01-01")
        await expect(page.locator(".error")).to_contain_text("after the last")
        assert dialogs == []

        # signed out: to the sign-in page, and back to the report after it
        stranger = await (await d.browser.new_context()).new_page()
        await stranger.goto(f"{d.base}/reports?group=hour")
        await expect(stranger).to_have_url(f"{d.base}/login?next=/reports%3Fgroup%3Dhour")
