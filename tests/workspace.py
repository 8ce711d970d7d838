"""Signing a browser (or an API client) in as an agent of a tenant, for the workspace tests.

The one place tests learn how agents authenticate: every page test calls ``sign_in`` and never
builds credentials itself. It signs in for real: the agent is created in the app's database
(through the accounts service) and the browser context submits the ``/login`` form, so it
holds the ``hotline_session`` cookie and every page carries the session's CSRF token.
"""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass, replace

import httpx
from fastapi import FastAPI
from playwright.async_api import BrowserContext

from unifier.service import accounts, sessions


@dataclass(frozen=True)
class SignedIn:
    tenant: str
    agent_id: str
    name: str
    email: str = ""
    password: str = ""
    # the session's CSRF token: pages send it by themselves (base.html); a test calling the API
    # through ``context.request`` with POST/PUT/PATCH/DELETE sends it as ``X-CSRF-Token``
    csrf_token: str = ""


async def create_agent(
    app: FastAPI, tenant: str, *, name: str = "Ana", role: str = "admin"
) -> SignedIn:
    """An agent (an admin by default) in the database of the running ``app``."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "agent"
    email = f"{slug}-{uuid.uuid4().hex[:8]}@hotline.test"
    password = "pw-" + secrets.token_urlsafe(12)
    async with app.state.runtime.engine.begin() as conn:
        row = await accounts.create_agent(conn, tenant, email, name, role, password)
    return SignedIn(tenant, row.agent_id, row.name, email, password)


async def sign_in(
    context: BrowserContext, base: str, app: FastAPI, tenant: str, *, name: str = "Ana"
) -> SignedIn:
    """Make every request of ``context`` come from agent ``name`` of ``tenant`` (an admin)."""
    agent = await create_agent(app, tenant, name=name)
    return await sign_in_as(context, base, agent)


async def sign_in_as(context: BrowserContext, base: str, agent: SignedIn) -> SignedIn:
    """Submit the sign-in form in a page of ``context`` (closed afterwards); the agent with
    this session's CSRF token."""
    page = await context.new_page()
    try:
        await page.goto(f"{base}/login?next=/account")
        await page.get_by_label("Email").fill(agent.email)
        await page.get_by_label("Password").fill(agent.password)
        async with page.expect_response(lambda r: r.url.endswith("/login")) as answer:
            await page.get_by_role("button", name="Sign in").click()
        response = await answer.value
        assert response.status == 303, f"sign-in failed: {response.status}"
        await page.wait_for_url(f"{base}/account")
        csrf = await page.locator("input[name=csrf_token]").first.input_value()
        return replace(agent, csrf_token=csrf)
    finally:
        await page.close()


async def api_headers(app: FastAPI, tenant: str, name: str = "tests") -> dict[str, str]:
    """An API token of ``tenant`` made like an admin would, as request headers."""
    async with app.state.runtime.engine.begin() as conn:
        _, secret = await sessions.create_token(conn, tenant, name, "tests")
    return {"Authorization": f"Bearer {secret}"}


async def sign_in_client(client: httpx.AsyncClient, root: str, agent: SignedIn) -> SignedIn:
    """The same sign-in for an HTTP client (API tests): submit ``/login`` as the page does, so
    ``client`` (it must not send an ``Authorization`` header) holds the session cookie. The
    agent with the session's CSRF token, to send as ``X-CSRF-Token`` on unsafe requests."""
    form = await client.get(f"{root}/login")
    login = {"email": agent.email, "password": agent.password, "next": "/account"}
    res = await client.post(f"{root}/login", data=login | {"csrf_token": _csrf_of(form.text)})
    assert res.status_code == 303, f"sign-in failed: {res.status_code}"
    return replace(agent, csrf_token=_csrf_of((await client.get(f"{root}/account")).text))


def _csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, "no CSRF token in the page"
    return found.group(1)
