"""Routing in a real Chromium: an admin sets an agent's skills and limit per channel kind on
the routing page; customers write through the real signed WhatsApp edge; the queue view shows
who waits (in order, how long, why) and the agents' loads, with hostile names inert; when the
agent closes a conversation the next waiting one is hers."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import sqlalchemy as sa
from playwright.async_api import Page

from tests.e2e.workspace.customers import Customers
from tests.e2e.workspace.test_assignment import (
    SHOTS,
    Axe,
    Served,
    agents,
    assignees,
    served,
    sql,
)
from tests.integration.unifier.harness import eventually
from tests.workspace import create_agent, sign_in_as
from unifier.store import routing_rows, team_rows
from unifier.store.schema import messages

__all__ = ["served"]  # the fixture, shared with test_assignment
HOSTILE = '<img src=x onerror="window.pwned=1">Zoé'


async def conversation_of(app: Any, tenant: str, wamid: str) -> str:
    m = messages.c
    q = sa.select(m.thread_id).where(m.tenant == tenant, m.provider_message_id == wamid)
    found: list[str] = []

    async def stored() -> bool:
        found[:] = (await sql(app, lambda c: c.execute(q))).scalars().all()
        return bool(found)

    await eventually(stored)
    return found[0]


async def set_routing(page: Page, base: str, agent_id: str, **fields: str) -> None:
    await page.goto(f"{base}/admin/routing")
    form = page.locator(f"form.agent-routing[data-agent='{agent_id}']")
    for name, value in fields.items():
        await form.locator(f"[name={name}]").fill(value)
    await form.locator("button[type=submit]").click()
    await page.wait_for_load_state()


async def test_queue_view_and_routing_page(customers: Customers, served: Served) -> None:
    app, base, tenant, browser = served
    ana, bob = (await agents(app, tenant, 10, "Ana", "Bob")).values()
    boss = await create_agent(app, tenant, name="Boss")  # an admin, in no team
    members = [ana.agent_id, bob.agent_id]
    await sql(
        app,
        lambda c: team_rows.put_team(
            c, tenant, ("t1", "Français", True), members, [("whatsapp", "*")], datetime.now(UTC)
        ),
    )

    admin = await browser.new_context()
    await sign_in_as(admin, base, boss)
    page = await admin.new_page()
    # a bad limit: refused with the reason, nothing saved
    await set_routing(page, base, ana.agent_id, languages="fr", limits="whatsapp=lots")
    assert "write it as chat=3" in await page.locator(".error").inner_text()
    assert await sql(app, lambda c: routing_rows.agent_routing_of(c, tenant)) == {}
    await set_routing(
        page, base, ana.agent_id, languages="fr, de", limits="whatsapp=1, email=10",
        timezone="Europe/Paris", week="mon-sun 00:00-24:00",
    )  # fmt: skip
    assert "saved" in await page.locator(".notice").inner_text()
    saved = (await sql(app, lambda c: routing_rows.agent_routing_of(c, tenant)))[ana.agent_id]
    assert saved.skills == (["de", "fr"], [], []) and saved.limits == {"email": 10, "whatsapp": 1}
    assert saved.hours is not None and saved.hours["week"]["wed"] == ["00:00-24:00"]
    form = page.locator(f"form.agent-routing[data-agent='{ana.agent_id}']")
    assert await form.locator("[name=limits]").input_value() == "email=10, whatsapp=1"
    found = (await Axe().run(page)).response["violations"]
    assert [v["id"] for v in found if v["impact"] in ("serious", "critical")] == []

    # Ana comes online (her live stream); Bob stays offline
    mine = await browser.new_context()
    await sign_in_as(mine, base, ana)
    queues = await mine.new_page()
    dialogs: list[str] = []
    queues.on("dialog", lambda d: dialogs.append(d.message))
    await queues.goto(f"{base}/queues")
    await queues.wait_for_selector("body[data-live=connected]", timeout=10_000)

    tids = []
    for i, name in enumerate(["Élise", HOSTILE, "Marc"]):
        phone = f"+3361234{uuid.uuid4().int % 10_000:04d}{i}"
        wamid = await customers.whatsapp(tenant, phone, "Bonjour, j'ai besoin d'aide", name=name)
        tids.append(await conversation_of(app, tenant, wamid))
    first, second, third = tids

    async def placed() -> bool:
        queued = await sql(app, lambda c: team_rows.queued_of(c, tenant, [second, third]))
        return (await assignees(app, tenant))[first] == ana.agent_id and len(queued) == 2

    await eventually(placed)
    await queues.reload()
    team = queues.locator(".queue[data-team=t1]")
    rows = team.locator(".waiting-item")
    assert [await r.get_attribute("data-conversation") for r in await rows.all()] == [
        second,
        third,
    ]  # longest waiting first
    assert {await r.get_attribute("data-reason") for r in await rows.all()} == {"all_at_capacity"}
    text = await rows.first.inner_text()
    assert HOSTILE in text  # shown as text, never as markup
    assert "Ana (1/10, whatsapp 1/1 full)" in text and "Bob (offline)" in text
    assert await team.locator(".waiting-item img").count() == 0
    assert await queues.evaluate("window.pwned === undefined")
    assert (await rows.first.locator(".waited").inner_text()).endswith((" s", " min"))
    ana_row = team.locator(f".member[data-agent='{ana.agent_id}']")
    assert await ana_row.locator(".load").inner_text() == "1/10"
    assert await ana_row.locator(".kind[data-kind=whatsapp]").inner_text() == "whatsapp 1/1"
    bob_row = team.locator(f".member[data-agent='{bob.agent_id}']")
    assert await bob_row.get_attribute("data-online") == "false"
    assert "de, fr" in await ana_row.inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    await queues.screenshot(path=str(SHOTS / "queues.png"), full_page=True)
    found = (await Axe().run(queues)).response["violations"]
    assert [v["id"] for v in found if v["impact"] in ("serious", "critical")] == []

    # Ana closes her conversation: the longest waiting one is offered to her at once
    async with httpx.AsyncClient(
        base_url=f"{base}/api/tenants/{tenant}", headers={"Authorization": f"Bearer tok-{tenant}"}
    ) as api:
        assert (await api.post(f"/conversations/{first}/close")).status_code == 200

    async def offered() -> bool:
        return (await assignees(app, tenant))[second] == ana.agent_id

    await eventually(offered, timeout=10)
    await queues.reload()
    assert [
        await r.get_attribute("data-conversation")
        for r in await team.locator(".waiting-item").all()
    ] == [third]
    assert dialogs == []
    await admin.close()
    await mine.close()
