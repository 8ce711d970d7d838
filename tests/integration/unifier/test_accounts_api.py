"""Accounts through the served app on both databases: sign-in with its form CSRF, sessions
(cookie flags, expiry, logout everywhere, disabling), CSRF on state changes, lockout, rate
limits, and API tokens (created, used, revoked; hashed at rest; never from a URL)."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from fastapi import FastAPI
from pydantic import SecretStr

from tests.integration.unifier.harness import settings_for
from tests.integration.unifier.server import serving
from tests.workspace import SignedIn, create_agent
from unifier.entrypoints.app import create_app
from unifier.store.dialect import when
from unifier.store.schema_accounts import agents, api_tokens, sessions

# Over HTTP on one database (postgresql): the SQL underneath is tested on both by the store-level
# tests; the API files alternate between the two so each is also served end to end.
pytestmark = pytest.mark.parametrize("dsn", ["postgresql"], indirect=True)


@dataclass
class Site:
    app: FastAPI
    base: str
    tenant: str

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.base, timeout=10, follow_redirects=False)

    async def rows(self, query: Any) -> list[Any]:
        async with self.app.state.runtime.engine.connect() as conn:
            return list(await conn.execute(query))


@pytest.fixture
async def site(kafka: str, dsn: str) -> AsyncIterator[Site]:
    tenant = "t" + uuid.uuid4().hex[:8]
    settings = settings_for(
        kafka,
        dsn,
        api_tokens={tenant: SecretStr("tok-" + tenant)},
        lockout_failures=3,
        login_attempts_per_email=6,
        consume=False,
    )
    app = create_app(settings)
    async with serving(app) as base:
        yield Site(app, base, tenant)


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, html
    return found.group(1)


async def login(
    c: httpx.AsyncClient, email: str, password: str, next: str = "/account"
) -> httpx.Response:
    form = await c.get("/login", params={"next": next})
    token = hidden(form.text, "csrf_token")
    data = {"email": email, "password": password, "csrf_token": token, "next": next}
    return await c.post("/login", data=data)


async def signed_in(c: httpx.AsyncClient, agent: SignedIn) -> str:
    """Sign ``c`` in; the session's CSRF token."""
    res = await login(c, agent.email, agent.password)
    assert res.status_code == 303 and res.headers["location"] == "/account", res.text
    return hidden((await c.get("/account")).text, "csrf_token")


async def test_sign_in_sets_a_safe_cookie_and_logout_ends_it(site: Site) -> None:
    ana = await create_agent(site.app, site.tenant, name="Ana")
    async with site.client() as c:
        assert (await c.get("/account")).headers["location"] == "/login?next=/account"
        res = await login(c, ana.email, ana.password)
        assert res.status_code == 303
        cookie = next(h for h in res.headers.get_list("set-cookie") if "hotline_session=" in h)
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
        token = c.cookies["hotline_session"]
        stored = await site.rows(sa.select(sessions.c.session_hash))
        assert [r[0] for r in stored] == [hashlib.sha256(token.encode()).hexdigest()]
        me = (await c.get("/api/me")).json()
        assert me == {"tenant": site.tenant, "agent_id": ana.agent_id, "name": "Ana",
                      "role": "admin"}  # fmt: skip
        csrf = hidden((await c.get("/account")).text, "csrf_token")
        assert (await c.post("/logout")).status_code == 403  # CSRF applies to logout too
        res = await c.post("/logout", data={"csrf_token": csrf})
        assert res.status_code == 303 and res.headers["location"] == "/login"
        assert await site.rows(sa.select(sessions)) == []
        c.cookies.set("hotline_session", token)  # the old cookie, replayed
        assert (await c.get("/api/me")).status_code == 401


async def test_wrong_password_and_unknown_email_read_the_same(site: Site) -> None:
    ana = await create_agent(site.app, site.tenant, name="Ana")
    async with site.client() as c:
        wrong = await login(c, ana.email, "not-her-password")
        unknown = await login(c, "nobody@hotline.test", "not-her-password")
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong email or password." in wrong.text and "Wrong email or password." in unknown.text
    assert "hotline_session" not in str(wrong.headers) + str(unknown.headers)


async def test_the_sign_in_form_needs_its_own_csrf_cookie(site: Site) -> None:
    ana = await create_agent(site.app, site.tenant, name="Ana")
    async with site.client() as c:
        data = {"email": ana.email, "password": ana.password, "csrf_token": "forged"}
        res = await c.post("/login", data=data)
        assert res.status_code == 403 and "did not come from this site" in res.text
        await c.get("/login")  # the cookie is set now, but the form's value is still forged
        assert (await c.post("/login", data=data)).status_code == 403
    assert await site.rows(sa.select(sessions)) == []


async def test_lockout_after_n_wrong_passwords(site: Site) -> None:
    ana = await create_agent(site.app, site.tenant, name="Ana")
    async with site.client() as c:
        for _ in range(2):
            assert (await login(c, ana.email, "wrong-password")).status_code == 401
        locked = await login(c, ana.email, "wrong-password")  # the third: lockout_failures=3
        assert locked.status_code == 423
        [(until,)] = await site.rows(sa.select(agents.c.locked_until))
        assert until is not None
        assert when(until) > datetime.now(UTC) + timedelta(minutes=14)  # lockout_minutes=15
        assert f"locked until {when(until).strftime('%H:%M')} UTC" in locked.text
        right = await login(c, ana.email, ana.password)  # even the right password, for now
        assert right.status_code == 423 and "hotline_session" not in c.cookies
    async with site.app.state.runtime.engine.begin() as conn:  # the lock runs out
        past = datetime.now(UTC) - timedelta(seconds=1)
        await conn.execute(agents.update().values(locked_until=past))
    async with site.client() as c:
        assert (await login(c, ana.email, ana.password)).status_code == 303
    [(failed, until)] = await site.rows(sa.select(agents.c.failed_logins, agents.c.locked_until))
    assert (failed, until) == (0, None)


async def test_attempts_per_email_are_rate_limited(site: Site) -> None:
    ana = await create_agent(site.app, site.tenant, name="Ana")
    async with site.app.state.runtime.engine.begin() as conn:  # lockout out of the way
        await conn.execute(agents.update().values(failed_logins=-100))
    async with site.client() as c:
        codes = [(await login(c, ana.email, "wrong-password")).status_code for _ in range(7)]
    assert codes == [401] * 6 + [429]


async def test_csrf_guards_every_state_change_of_a_session(site: Site) -> None:
    ana = await create_agent(site.app, site.tenant, name="Ana")
    api = f"/api/tenants/{site.tenant}/tokens"
    async with site.client() as c:
        csrf = await signed_in(c, ana)
        for headers in ({}, {"X-CSRF-Token": "forged"}, {"X-CSRF-Token": csrf[:-1] + "x"}):
            res = await c.post(api, json={"name": "crm"}, headers=headers)
            assert res.status_code == 403 and res.json()["error"] == "csrf", res.text
        assert await site.rows(sa.select(api_tokens)) == []  # nothing changed
        assert (await c.get(api)).status_code == 200  # reading needs no token
        res = await c.post(api, json={"name": "crm"}, headers={"X-CSRF-Token": csrf})
        assert res.status_code == 201, res.text


async def test_expired_and_idle_sessions_send_to_sign_in(site: Site) -> None:
    ana = await create_agent(site.app, site.tenant, name="Ana")
    async with site.client() as c:
        await signed_in(c, ana)
        past = datetime.now(UTC) - timedelta(seconds=1)
        async with site.app.state.runtime.engine.begin() as conn:
            await conn.execute(sessions.update().values(expires_at=past))
        res = await c.get("/account")
        assert res.headers["location"] == "/login?next=/account&expired=1"
        page = await c.get(res.headers["location"])
        assert "Your session expired, sign in again." in page.text
        assert await site.rows(sa.select(sessions)) == []  # the expired row is gone
        await signed_in(c, ana)
        idle = datetime.now(UTC) - timedelta(hours=9)  # idle default: 8 hours
        async with site.app.state.runtime.engine.begin() as conn:
            await conn.execute(sessions.update().values(last_seen_at=idle))
        pane = {"HX-Request": "true", "HX-Current-URL": f"{site.base}/account"}
        htmx = await c.get("/account", headers=pane)
        assert htmx.status_code == 401
        assert htmx.headers["hx-redirect"] == "/login?next=/account&expired=1"


async def test_sign_out_everywhere_and_disable_end_every_session(site: Site) -> None:
    ana = await create_agent(site.app, site.tenant, name="Ana")
    bob = await create_agent(site.app, site.tenant, name="Bob", role="agent")
    async with site.client() as one, site.client() as two, site.client() as b:
        csrf = await signed_in(one, ana)
        await signed_in(two, ana)
        await signed_in(b, bob)
        assert (await one.post("/logout/everywhere", data={"csrf_token": csrf})).status_code == 303
        assert (await two.get("/api/me")).status_code == 401
        assert (await b.get("/api/me")).status_code == 200  # Bob's session is his own
        csrf = await signed_in(one, ana)
        path = f"/api/tenants/{site.tenant}/agents/{bob.agent_id}/disable"
        assert (await b.post(path, headers={"X-CSRF-Token": "x"})).status_code == 403
        res = await one.post(path, headers={"X-CSRF-Token": csrf})
        assert res.json()["sessions_ended"] == 1
        assert (await b.get("/api/me")).status_code == 401
        assert (await login(b, bob.email, bob.password)).status_code == 401


async def test_api_tokens_created_used_and_revoked(site: Site) -> None:
    ana = await create_agent(site.app, site.tenant, name="Ana")
    async with site.client() as c, site.client() as crm:
        csrf = await signed_in(c, ana)
        api = f"/api/tenants/{site.tenant}"
        made = (await c.post(f"{api}/tokens", json={"name": "crm"},
                             headers={"X-CSRF-Token": csrf})).json()  # fmt: skip
        secret, token_id = made["token"], made["token_id"]
        [(stored,)] = await site.rows(sa.select(api_tokens.c.token_hash))
        assert stored == hashlib.sha256(secret.encode()).hexdigest() and secret not in stored
        assert "token" not in (await c.get(f"{api}/tokens")).json()[0]  # shown once only
        crm.headers["Authorization"] = f"Bearer {secret}"
        me = (await crm.get("/api/me")).json()
        assert me == {"tenant": site.tenant, "agent_id": f"token:{token_id}", "name": "crm",
                      "role": "integration"}  # fmt: skip
        assert (await crm.get(f"{api}/conversations")).status_code == 200
        assert (await crm.post(f"{api}/tokens", json={"name": "x"})).status_code == 403
        assert (await crm.get("/api/tenants/other/conversations")).status_code == 403
        [(used,)] = await site.rows(sa.select(api_tokens.c.last_used_at))
        assert used is not None
        res = await c.delete(f"{api}/tokens/{token_id}", headers={"X-CSRF-Token": csrf})
        assert res.status_code == 200
        assert (await crm.get(f"{api}/conversations")).status_code == 401
        # no credential from a URL, and no self-declared agent
        anon = site.client()
        res = await anon.get(f"{api}/conversations", params={"token": secret})
        assert res.status_code == 401
        res = await anon.get(f"{api}/conversations", params={"token": f"tok-{site.tenant}"})
        assert res.status_code == 401
        await anon.aclose()


async def test_the_configured_token_is_an_integration_that_manages_accounts(site: Site) -> None:
    headers = {"Authorization": f"Bearer tok-{site.tenant}", "X-Agent": "mallory"}
    async with site.client() as c:
        me = (await c.get("/api/me", headers=headers)).json()
        assert me["agent_id"] == "token:config" and me["role"] == "integration"
        body = {"email": "Root@Hotline.test", "name": "Root", "role": "admin",
                "password": "a long enough password"}  # fmt: skip
        path = f"/api/tenants/{site.tenant}/agents"
        made = await c.post(path, json=body, headers=headers)
        assert made.status_code == 201 and made.json()["email"] == "root@hotline.test"
        again = await c.post(path, json=body, headers=headers)
        assert again.status_code == 409 and again.json()["error"] == "email_taken"
        weak = await c.post(path, json={**body, "email": "x@hotline.test", "password": "short"},
                            headers=headers)  # fmt: skip
        assert weak.status_code == 422 and "12 characters" in weak.json()["detail"]
        [(hashed,)] = await site.rows(sa.select(agents.c.password_hash))
        assert hashed.startswith("$argon2id$") and "enough" not in hashed
        assert (await login(c, "root@hotline.test", body["password"])).status_code == 303


async def test_an_outdated_hash_is_upgraded_and_cookies_go_secure_when_told(site: Site) -> None:
    ana = await create_agent(site.app, site.tenant, name="Ana")
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(ana.password)
    async with site.app.state.runtime.engine.begin() as conn:
        await conn.execute(agents.update().values(password_hash=cheap))
    async with site.client() as c:
        form = hidden((await c.get("/login")).text, "csrf_token")
        site.app.state.hotline.settings.secure_cookies = True  # behind a TLS-terminating proxy
        data = {"email": ana.email, "password": ana.password, "csrf_token": form}
        res = await c.post("/login", data=data)
    assert res.status_code == 303, res.text
    cookie = next(h for h in res.headers.get_list("set-cookie") if "hotline_session=" in h)
    assert "Secure" in cookie
    [(stored,)] = await site.rows(sa.select(agents.c.password_hash))
    assert stored != cheap and not PasswordHasher().check_needs_rehash(stored)
    assert PasswordHasher().verify(stored, ana.password)
