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
from unifier.store import assignment_rows as rows
from unifier.store import routing_rows, team_rows
from unifier.store.schema import messages, threads

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
    # the team: a bad requirement refused; then its channel and its escalation supervisor
    team_form = page.locator("form.team-routing[data-team=t1]")
    await team_form.locator("[name=languages]").fill("french")
    await team_form.locator("button[type=submit]").click()
    await page.wait_for_load_state()
    assert "not an ISO 639-1 language" in await page.locator(".error").inner_text()
    assert await sql(app, lambda c: routing_rows.team_routing_of(c, tenant)) == {}
    await team_form.locator("[name=channels]").fill("whatsapp")
    await team_form.locator("[name=supervisor]").select_option(boss.agent_id)
    await team_form.locator("button[type=submit]").click()
    await page.wait_for_load_state()
    assert "team t1 saved" in await page.locator(".notice").inner_text()
    policy = (await sql(app, lambda c: routing_rows.team_routing_of(c, tenant)))["t1"]
    assert (policy.requires, policy.escalate_team, policy.escalate_agent) == (
        ([], [], ["whatsapp"]),
        None,
        boss.agent_id,
    )
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


FRENCH = (
    "Bonjour, je n'arrive plus à me connecter à mon compte depuis hier soir. Pouvez-vous m'aider ?"
)
FRENCH_2 = "Bonjour, ma facture de novembre est fausse, le montant est deux fois trop élevé. Merci."


async def online(served: Served, agent: Any) -> Any:
    """``agent`` signed in with the queue view open (its live stream makes them online)."""
    _, base, _, browser = served
    context = await browser.new_context()
    await sign_in_as(context, base, agent)
    page = await context.new_page()
    await page.goto(f"{base}/queues")
    await page.wait_for_selector("body[data-live=connected]", timeout=10_000)
    return context, page


async def test_a_french_whatsapp_message_reaches_the_french_speaking_agent(
    customers: Customers, served: Served
) -> None:
    """Done means: a French WhatsApp message (through the real signed edge, its language found
    by triage) reaches the French-speaking agent with free capacity, not the English-speaking
    one; with her full it waits, and it is hers when she closes one."""
    app, base, tenant, browser = served
    ana, bob = (await agents(app, tenant, 10, "Ana", "Bob")).values()
    boss = await create_agent(app, tenant, name="Boss")
    members = [ana.agent_id, bob.agent_id]
    await sql(
        app,
        lambda c: team_rows.put_team(
            c, tenant, ("t1", "Support", True), members, [("whatsapp", "*")], datetime.now(UTC)
        ),
    )
    admin = await browser.new_context()
    await sign_in_as(admin, base, boss)
    page = await admin.new_page()
    await set_routing(page, base, ana.agent_id, languages="fr", limits="whatsapp=1")
    await set_routing(page, base, bob.agent_id, languages="en, de", limits="whatsapp=5")
    await admin.close()
    ana_context, ana_page = await online(served, ana)
    bob_context, _ = await online(served, bob)

    first = await conversation_of(
        app, tenant, await customers.whatsapp(tenant, "+33612340001", FRENCH, name="Élise")
    )

    async def to_ana() -> bool:
        return (await assignees(app, tenant))[first] == ana.agent_id

    await eventually(to_ana)
    t = threads.c
    q = sa.select(t.language).where(t.tenant == tenant, t.thread_id == first)
    assert (await sql(app, lambda c: c.execute(q))).scalar_one() == "fr"
    log = await sql(app, lambda c: rows.activity_of(c, tenant, first))
    assert "needs whatsapp, fr, any category" in log[0]["detail"]["explanation"]
    assert "Bob (no skill)" in log[0]["detail"]["explanation"]

    # Ana is full for WhatsApp; Bob is free but speaks no French: the second one waits
    second = await conversation_of(
        app, tenant, await customers.whatsapp(tenant, "+33612340002", FRENCH_2, name="Marc")
    )

    async def queued() -> bool:
        return bool(await sql(app, lambda c: team_rows.queued(c, tenant, second)))

    await eventually(queued)
    assert (await assignees(app, tenant))[second] is None
    item = ana_page.locator(f".waiting-item[data-conversation='{second}']")
    await item.wait_for(timeout=10_000)  # the open queue view follows the live stream
    assert await item.get_attribute("data-reason") == "all_at_capacity"
    assert "fr" in await item.inner_text() and "Bob (no skill)" in await item.inner_text()

    # Ana closes the first: the waiting French conversation is offered to her
    async with httpx.AsyncClient(
        base_url=f"{base}/api/tenants/{tenant}", headers={"Authorization": f"Bearer tok-{tenant}"}
    ) as api:
        assert (await api.post(f"/conversations/{first}/close")).status_code == 200

    async def offered() -> bool:
        return (await assignees(app, tenant))[second] == ana.agent_id

    await eventually(offered, timeout=10)
    await item.wait_for(state="detached", timeout=10_000)
    await ana_context.close()
    await bob_context.close()
