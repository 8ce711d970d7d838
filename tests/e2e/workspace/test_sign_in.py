"""Accounts in a real Chromium: sign-in/out, the wrong-password and lockout messages, a forged
CSRF token refused with nothing changed, an expired session sent to sign in with a message,
sign out everywhere ending another browser's session, another tenant's conversation refused,
and an API token created, used and revoked from the admin page."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from axe_playwright_python.async_playwright import Axe  # type: ignore[import-untyped]
from fastapi import FastAPI
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

from tests.browser import ARGS, CHROMIUM
from tests.e2e.workspace.customers import Customers
from tests.integration.unifier.harness import eventually, settings_for
from tests.integration.unifier.server import serving
from tests.workspace import SignedIn, create_agent, sign_in, sign_in_as
from unifier.entrypoints.app import create_app
from unifier.store.schema_accounts import api_tokens, sessions

pytestmark = pytest.mark.e2e
SHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"


@dataclass
class Site:
    app: FastAPI
    base: str
    browser: Browser

    async def context(self) -> BrowserContext:
        return await self.browser.new_context(base_url=self.base)

    async def rows(self, query: sa.Select[tuple[object, ...]]) -> list[object]:
        async with self.app.state.runtime.engine.connect() as conn:
            return list(await conn.execute(query))


@pytest.fixture(scope="module")
async def site(kafka: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Site]:
    db = tmp_path_factory.mktemp("accounts") / "u.db"
    settings = settings_for(kafka, f"sqlite:///{db}", lockout_failures=3)
    app = create_app(settings)
    async with serving(app) as base, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield Site(app, base, browser)
        finally:
            await browser.close()


def tenant() -> str:
    return "w" + uuid.uuid4().hex[:8]


async def serious(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page."""
    found = (await Axe().run(page)).response["violations"]
    return [v["id"] for v in found if v["impact"] in ("serious", "critical")]


async def fill_sign_in(page: Page, email: str, password: str) -> None:
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()


async def test_sign_in_wrong_password_lockout_and_sign_out(site: Site) -> None:
    ana = await create_agent(site.app, tenant(), name="Ana Lima")
    context = await site.context()
    page = await context.new_page()
    await page.goto("/account")  # not signed in: to the sign-in page, and back after it
    await expect(page).to_have_url(f"{site.base}/login?next=/account")
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / "sign-in.png"))
    assert await serious(page) == []
    await fill_sign_in(page, ana.email, "not her password")
    await expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    await fill_sign_in(page, ana.email, ana.password)
    await expect(page).to_have_url(f"{site.base}/account")
    await expect(page.locator(".account-name")).to_have_text("Ana Lima")
    assert await serious(page) == []
    cookie = next(c for c in await context.cookies() if c["name"] == "hotline_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    await page.get_by_role("button", name="Sign out", exact=True).click()
    await expect(page).to_have_url(f"{site.base}/login")
    await page.goto("/account")
    await expect(page).to_have_url(f"{site.base}/login?next=/account")
    for _ in range(2):
        await fill_sign_in(page, ana.email, "still not her password")
        await expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    await fill_sign_in(page, ana.email, "still not her password")  # the third: locked
    await expect(page.get_by_role("alert")).to_contain_text("this account is locked until")
    await fill_sign_in(page, ana.email, ana.password)  # the right one waits for the lock too
    await expect(page.get_by_role("alert")).to_contain_text("locked until")
    assert "hotline_session" not in {c["name"] for c in await context.cookies()}
    await context.close()


async def test_a_forged_csrf_token_is_refused_and_changes_nothing(site: Site) -> None:
    context = await site.context()
    who = await sign_in(context, site.base, site.app, tenant(), name="Ana")
    page = await context.new_page()
    await page.goto("/admin")
    await page.get_by_label("Name (what uses it)").fill("crm")
    form = page.locator("form[action='/admin/tokens']")
    await form.locator("input[name=csrf_token]").evaluate("e => { e.value = 'forged' }")
    async with page.expect_response(f"{site.base}/admin/tokens") as answer:
        await page.get_by_role("button", name="Create token").click()
    response = await answer.value
    assert response.status == 403
    assert "wrong CSRF token" in await page.content()
    api = f"/api/tenants/{who.tenant}/tokens"
    res = await context.request.post(api, data={"name": "x"}, headers={"X-CSRF-Token": "forged"})
    assert res.status == 403 and (await res.json())["error"] == "csrf"
    assert await site.rows(sa.select(api_tokens.c.token_id)) == []  # nothing changed
    res = await context.request.post(
        api, data={"name": "x"}, headers={"X-CSRF-Token": who.csrf_token}
    )
    assert res.status == 201  # the session's own token: the same request goes through
    await context.close()


async def test_an_expired_session_is_sent_to_sign_in_with_a_message(site: Site) -> None:
    context = await site.context()
    await sign_in(context, site.base, site.app, tenant())
    past = datetime.now(UTC) - timedelta(seconds=1)
    async with site.app.state.runtime.engine.begin() as conn:
        await conn.execute(sessions.update().values(expires_at=past))
    page = await context.new_page()
    await page.goto("/account")
    await expect(page).to_have_url(f"{site.base}/login?next=/account&expired=1")
    await expect(page.get_by_role("status")).to_have_text("Your session expired, sign in again.")
    await context.close()


async def test_sign_out_everywhere_ends_another_browsers_session(site: Site) -> None:
    one, two = await site.context(), await site.context()
    ana = await sign_in(one, site.base, site.app, tenant())
    again = await sign_in_as(two, site.base, ana)
    assert again.csrf_token and again.csrf_token != ana.csrf_token  # a session of its own
    other = await two.new_page()
    await other.goto("/account")
    await expect(other).to_have_url(f"{site.base}/account")
    page = await one.new_page()
    await page.goto("/account")
    await page.get_by_role("button", name="Sign out everywhere").click()
    await expect(page).to_have_url(f"{site.base}/login")
    await other.goto("/account")
    await expect(other).to_have_url(f"{site.base}/login?next=/account&expired=1")
    await one.close()
    await two.close()


async def test_another_tenants_conversation_is_refused(customers: Customers, site: Site) -> None:
    mine, theirs = tenant(), customers.tenant()
    await customers.mail(theirs, "z@example.test", "Help", "hello")  # over SMTP, to their mailbox
    context = await site.context()
    await sign_in(context, site.base, site.app, mine)
    conversations: list[str] = []

    async def stored() -> bool:
        async with site.app.state.runtime.engine.connect() as conn:
            q = sa.text("SELECT thread_id FROM threads WHERE tenant = :t")
            conversations[:] = [r[0] for r in await conn.execute(q, {"t": theirs})]
        return bool(conversations)

    await eventually(stored)
    cid = conversations[0]
    res = await context.request.get(f"/api/tenants/{theirs}/conversations/{cid}")
    assert res.status == 403 and (await res.json())["error"] == "forbidden"
    res = await context.request.get(f"/api/tenants/{mine}/conversations/{cid}")
    assert res.status == 404
    await context.close()


async def test_an_api_token_is_created_used_and_revoked(site: Site) -> None:
    context = await site.context()
    ana: SignedIn = await sign_in(context, site.base, site.app, tenant())
    page = await context.new_page()
    await page.goto("/admin")
    await page.get_by_label("Name (what uses it)").fill("crm sync")
    await page.get_by_role("button", name="Create token").click()
    secret = (await page.locator("#new-token").inner_text()).strip()
    await page.screenshot(path=str(SHOTS / "admin-token-created.png"))
    assert await serious(page) == []
    url = f"{site.base}/api/tenants/{ana.tenant}/conversations"
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {secret}"}) as crm:
        assert (await crm.get(url)).status_code == 200
        me = (await crm.get(f"{site.base}/api/me")).json()
        assert me["name"] == "crm sync" and me["role"] == "integration"
        await page.goto("/admin")  # shown once: not on the page any more
        assert secret not in await page.content()
        await page.get_by_role("button", name="Revoke crm sync").click()
        await expect(page.get_by_role("status")).to_have_text("Token revoked.")
        assert (await crm.get(url)).status_code == 401
    await context.close()
