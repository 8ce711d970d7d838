"""The contact panel and the WhatsApp template picker in a real Chromium, with the real broker:
merge (found by search, confirmed) and unmerge, refusals shown and nothing changed; a link
suggestion accepted (a site-signed widget user and an unverified mail from her address) and
one dismissed (a DMARC-aligned sender and a spoofable mail from the same address); outside
the 24-hour window an approved template chosen, filled in, previewed and sent once, its name,
language and values on the replies topic. Hostile names stay text and run nothing.

Customers write in through the real edges: mail over SMTP (a trusted relay's DMARC pass, or
nothing, vouching for the sender), signed WhatsApp webhooks (WhatsApp's own timestamp dates a
message outside the window), the widget's socket. An SMS is no stand-in for an unverified
phone: Twilio's From is carrier-asserted and joins the WhatsApp contact of the same number by
itself (identity.carrier_match), so the accepted suggestion is an email claim."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe  # type: ignore[import-untyped]
from fastapi import FastAPI
from playwright.async_api import BrowserContext, Dialog, Page, async_playwright, expect
from pydantic import SecretStr

from hotline import events as ev
from hotline.topics import REPLIES_SOCIAL
from tests.browser import ARGS, CHROMIUM
from tests.e2e.workspace.customers import Customers
from tests.integration.unifier.harness import eventually, settings_for
from tests.integration.unifier.server import serving
from tests.integration.unifier.test_api import replies_since
from tests.kafka_helpers import end_offsets
from tests.unit.unifier.factory import T0
from tests.workspace import SignedIn, sign_in
from unifier.entrypoints.app import create_app

SHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"
HOSTILE = '<img src=x onerror=alert(1)>"Maria'
PHONE = "+4915100000041"
H = timedelta(hours=1)
DAVE = "dave@example.test"


@dataclass
class Workspace:
    app: FastAPI
    base: str
    tenant: str
    customers: Customers
    api: httpx.AsyncClient
    other: httpx.AsyncClient  # another tenant's API
    context: BrowserContext
    who: SignedIn
    dialogs: list[str]

    @property
    def csrf(self) -> dict[str, str]:
        """The header our pages send with every state-changing request."""
        return {"X-CSRF-Token": self.who.csrf_token}

    async def page(self) -> Page:
        page = await self.context.new_page()

        async def note(d: Dialog) -> None:
            self.dialogs.append(d.message)
            await d.dismiss()

        page.on("dialog", note)
        return page

    async def contact(self, cid: str) -> dict[str, Any]:
        res = await self.api.get(f"/contacts/{cid}")
        assert res.status_code == 200, res.text
        found: dict[str, Any] = res.json()
        return found


@pytest.fixture
async def ws(kafka: str, customers: Customers, tmp_path: Path) -> AsyncIterator[Workspace]:
    tenant, other = customers.tenant(), customers.tenant()
    tokens = {tenant: SecretStr("tok-" + tenant), other: SecretStr("tok-" + other)}
    app = create_app(settings_for(kafka, f"sqlite:///{tmp_path}/u.db", api_tokens=tokens))
    async with (
        serving(app) as base,
        httpx.AsyncClient(
            base_url=f"{base}/api/tenants/{tenant}",
            headers={"Authorization": f"Bearer tok-{tenant}"},
            timeout=10,
        ) as api,
        httpx.AsyncClient(
            base_url=f"{base}/api/tenants/{other}",
            headers={"Authorization": f"Bearer tok-{other}"},
            timeout=10,
        ) as others,
        async_playwright() as pw,
    ):
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = await browser.new_context(viewport={"width": 1280, "height": 900})
            who = await sign_in(context, base, app, tenant, name="Ana")
            yield Workspace(app, base, tenant, customers, api, others, context, who, [])
        finally:
            await browser.close()


QUIET = "!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"


async def arrive(
    ws: Workspace, *wrote: Awaitable[str], api: httpx.AsyncClient | None = None
) -> list[str]:
    """Each message written in turn through its edge; each one's contact id once all are
    stored."""
    pmids = [await w for w in wrote]
    found: dict[str, str] = {}
    api = api or ws.api

    async def stored() -> bool:
        for conv in (await api.get("/conversations", params={"limit": 500})).json():
            thread = (await api.get(f"/conversations/{conv['thread_id']}")).json()
            found.update((m["provider_message_id"], m["contact_id"]) for m in thread["messages"])
        return all(pmid in found for pmid in pmids)

    await eventually(stored)
    return [found[pmid] for pmid in pmids]


async def mail_from(ws: Workspace, tenant: str, address: str, level: ev.VerificationLevel,
                    name: str, at: timedelta = 0 * H, text: str = "hello") -> str:  # fmt: skip
    """A mail over SMTP; ``dmarc_aligned``: a trusted relay passed its From domain."""
    aligned = level == "dmarc_aligned"
    return await ws.customers.mail(
        tenant, address, "Help", text, name=name, at=T0 + at, authenticated=aligned
    )


async def widget_user(ws: Workspace, sub: str, email: str, name: str) -> str:
    """A message over the widget's socket from a user the site signed in (site_signed email)."""
    token = ws.customers.site_identity(ws.tenant, sub, email=email, name=name)
    sent = await ws.customers.widget(ws.tenant, "hi from the shop", identity_token=token)
    return sent.provider_message_id


async def whatsapp_from(
    ws: Workspace, at: timedelta | datetime, name: str = "Wanda", phone: str = PHONE
) -> str:
    """A signed WhatsApp webhook; ``at``: after T0, or a time (WhatsApp's own timestamp)."""
    when = at if isinstance(at, datetime) else T0 + at
    return await ws.customers.whatsapp(ws.tenant, phone, "hola", name=name, at=when)


async def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page (ids and where)."""
    found = (await Axe().run(page)).response["violations"]
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


async def test_merge_and_unmerge_with_refusals(ws: Workspace) -> None:
    t = ws.tenant
    mail, wa = await arrive(
        ws,
        mail_from(ws, t, "maria@example.test", "dmarc_aligned", HOSTILE),
        whatsapp_from(ws, H, name="Maria WA"),
    )
    elsewhere = str(ws.other.base_url).rstrip("/").rsplit("/", 1)[1]
    stray = mail_from(ws, elsewhere, "x@y.test", "dmarc_aligned", "X")
    [stranger] = await arrive(ws, stray, api=ws.other)
    page = await ws.page()
    await page.goto(f"{ws.base}/inbox/contacts/{mail}")
    panel = page.locator("aside#contact")
    await expect(panel.locator("h2")).to_have_text(HOSTILE)  # text, not markup
    await expect(panel.locator(".identity .level")).to_have_text("email authenticated (DKIM/DMARC)")
    [conv] = (await ws.api.get("/conversations", params={"contact": mail})).json()
    link = panel.locator(".conversations a")
    await expect(link).to_have_attribute("href", f"/inbox/conversations/{conv['thread_id']}")

    stale = await ws.page()  # a second look at the panel, left behind by what follows
    await page.locator("#contact-q").fill("+49 151 000 000 41")
    candidate = page.locator(f".candidate[data-contact-id='{wa}']")
    await expect(candidate).to_contain_text("Maria WA")
    await candidate.get_by_role("button").click()
    await expect(panel.locator(".confirm")).to_contain_text("Merge Maria WA into")
    assert (await ws.contact(mail))["merged_contacts"] == []  # nothing before confirming
    await panel.get_by_role("button", name="Confirm merge").click()
    await expect(panel.locator(".notice-ok")).to_contain_text("Merged Maria WA into")
    await expect(panel.locator(f".member[data-contact-id='{wa}']")).to_be_visible()
    assert (await ws.contact(mail))["merged_contacts"] == [wa]
    # both of her WhatsApp identities (wa_id and phone) came with the merged contact
    await expect(panel.locator(".identity .via")).to_have_text(["via Maria WA"] * 2)
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / "contact.png"), full_page=True)
    assert await serious_violations(page) == []

    await stale.goto(f"{ws.base}/inbox/contacts/{mail}")
    await expect(stale.locator(f".member[data-contact-id='{wa}']")).to_be_visible()
    await panel.locator(f".member[data-contact-id='{wa}'] button").click()
    await expect(panel.locator(".notice-ok")).to_contain_text("Unmerged Maria WA")
    await expect(panel.locator(".member")).to_have_count(0)
    assert (await ws.contact(mail))["merged_contacts"] == []
    stale_panel = stale.locator("aside#contact")  # unmerge again from the stale panel: refused
    await stale_panel.locator(f".member[data-contact-id='{wa}'] button").click()
    await expect(stale_panel.locator(".notice-error")).to_contain_text(
        "Maria WA is not merged into this contact. Nothing was changed."
    )
    await expect(stale_panel.locator(".member")).to_have_count(0)  # the refreshed truth

    refused = {
        mail: (409, "cannot be merged with itself"),
        stranger: (404, f"Not found in this workspace: contact {stranger}"),
    }
    for other, (status, said) in refused.items():
        res = await ws.context.request.post(
            f"{ws.base}/inbox/contacts/{mail}/merge",
            form={"other": other},
            headers={"HX-Request": "true", **ws.csrf},
        )
        assert res.status == status and said in await res.text()
        assert (await ws.contact(mail))["merged_contacts"] == []
    assert ws.dialogs == []


async def test_suggestions_are_accepted_and_dismissed(ws: Workspace) -> None:
    t = ws.tenant
    aligned, user = await arrive(
        ws,
        mail_from(ws, t, "carol@example.test", "dmarc_aligned", "Carol"),
        widget_user(ws, "shop-user-7", DAVE, "Dave"),
    )
    spoofable, claim = await arrive(
        ws,
        mail_from(ws, t, "carol@example.test", "unverified", HOSTILE, at=2 * H),
        mail_from(ws, t, DAVE, "unverified", "Dave", at=3 * H, text="it's me"),
    )
    assert len({aligned, user, spoofable, claim}) == 4  # nothing unproven links by itself
    page = await ws.page()
    await page.goto(f"{ws.base}/inbox/contacts/{user}")
    panel = page.locator("aside#contact")
    [sug] = (await ws.contact(user))["suggestions"]
    item = panel.locator(f".suggestion[data-suggestion-id='{sug['suggestion_id']}']")
    await expect(item.locator(".evidence-id")).to_contain_text(f"email {DAVE}")
    await expect(item.locator(".behind")).to_contain_text("it's me")  # the message behind it
    await item.get_by_role("button", name="Accept (same person)").click()
    await expect(panel.locator(".notice-ok")).to_contain_text("is the same person")
    await expect(panel.locator(f".member[data-contact-id='{claim}']")).to_be_visible()
    await expect(item.locator(".decided")).to_contain_text("Accepted by Ana")
    assert (await ws.contact(user))["merged_contacts"] == [claim]

    await page.goto(f"{ws.base}/inbox/contacts/{aligned}")
    [sug] = (await ws.contact(aligned))["suggestions"]
    item = panel.locator(f".suggestion[data-suggestion-id='{sug['suggestion_id']}']")
    await expect(item.get_by_role("link").first).to_have_text(HOSTILE)
    await item.get_by_role("button", name="Dismiss (different people)").click()
    await expect(panel.locator(".notice-ok")).to_contain_text("is a different person")
    await expect(item.locator(".decided")).to_contain_text("Dismissed by Ana")
    assert (await ws.contact(aligned))["merged_contacts"] == []
    res = await ws.context.request.post(  # decided already: refused, nothing changes
        f"{ws.base}/inbox/contacts/{aligned}/suggestions/{sug['suggestion_id']}/accept",
        headers=ws.csrf,
    )
    assert res.status == 409 and "already dismissed by Ana" in await res.text()
    assert (await ws.contact(aligned))["merged_contacts"] == []
    assert ws.dialogs == []


async def test_a_template_outside_the_window_is_sent_once(kafka: str, ws: Workspace) -> None:
    t = ws.tenant
    account = ws.customers.slot(t).phone_number_id  # the tenant's WhatsApp number
    body = "Hallo {{1}}, Ihre Bestellung {{2}} ist unterwegs."
    for name, lang in (("order_update", "de"), ("greeting", "en_US")):
        tmpl = {"account_id": account, "name": name, "language": lang, "body": body}
        made = await ws.context.request.post(  # an admin's work: Ana's session, not the token
            f"{ws.base}/api/tenants/{t}/reply-templates", data=tmpl, headers=ws.csrf
        )
        assert made.status == 201, await made.text()
    await arrive(  # an hour after T0 (weeks ago): closed; now: open
        ws, whatsapp_from(ws, H), whatsapp_from(ws, datetime.now(UTC), phone="+4915100000099")
    )
    convs = (await ws.api.get("/conversations")).json()
    [closed] = [c["thread_id"] for c in convs if c["last_message_at"].startswith("2026-11-01")]
    [open_] = [c["thread_id"] for c in convs if c["thread_id"] != closed]

    page = await ws.page()
    await page.goto(f"{ws.base}/inbox/conversations/{open_}/templates")
    await expect(page.locator("#reply-templates")).to_have_attribute("data-window", "open")
    await page.goto(f"{ws.base}/inbox/conversations/{closed}/templates")
    picker = page.locator("fieldset.reply-templates")
    await expect(picker.locator("legend")).to_have_text(
        "Outside the 24-hour window: send an approved template"
    )
    await picker.get_by_label("Template").select_option("order_update|de")
    preview = page.locator("#reply-template-preview .text")
    await expect(preview).to_have_text(body)
    # htmx wires the swapped-in fields up when the swap settles; typing before that is lost
    await page.wait_for_function(QUIET)
    await page.get_by_label("Value 1").fill("<b>Maria</b>")
    await expect(preview).to_have_text("Hallo <b>Maria</b>, Ihre Bestellung {{2}} ist unterwegs.")
    async with page.expect_response(lambda r: "/templates?" in r.url) as answered:
        await page.get_by_label("Value 2").fill("4711")  # its own request, after the first's
    await (await answered.value).finished()
    await expect(preview).to_have_text("Hallo <b>Maria</b>, Ihre Bestellung 4711 ist unterwegs.")
    assert await serious_violations(page) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / "reply-templates.png"), full_page=True)
    before = await end_offsets(kafka, REPLIES_SOCIAL)
    await page.get_by_role("button", name="Send template").dblclick()
    await expect(page.locator(".notice-ok")).to_contain_text("Template order_update (de) sent")

    async def published() -> bool:
        return bool(await replies_since(kafka, before, t))

    await eventually(published)
    sent = await replies_since(kafka, before, t)
    assert len(sent) == 1  # the double click sent one
    [req] = sent
    assert isinstance(req, ev.ReplyRequested) and req.conversation_id == closed
    assert (req.template, req.template_language, req.template_params) == (
        "order_update", "de", ["<b>Maria</b>", "4711"],
    )  # fmt: skip
    assert req.channel == ev.ChannelRef(kind="whatsapp", account_id=account)

    url = f"{ws.base}/inbox/conversations/{closed}/templates"
    short = {"template_key": "order_update|de", "template_idempotency_key": "k2"}
    res = await ws.context.request.post(
        url, form={**short, "template_param_1": "x"}, headers=ws.csrf
    )
    assert res.status == 422 and "takes 2 non-empty value(s), 1 given" in await res.text()
    await asyncio.sleep(2)  # what the relay would publish by now: still the one reply
    assert len(await replies_since(kafka, before, t)) == 1
    assert ws.dialogs == []
