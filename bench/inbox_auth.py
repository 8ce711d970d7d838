"""Signing make bench-inbox's timed agents in the real way: a known password for a handful of
the seeded agents (argon2, as the accounts service hashes it), then ``POST /login`` with the
pre-session CSRF double submit; each agent's HTTP client then holds its ``hotline_session``
cookie, so "Mine" and the unread counts are that agent's and the SSE clients are agents."""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

import httpx

from unifier.entrypoints.api.auth import SESSION_COOKIE
from unifier.entrypoints.web.sign_in import LOGIN_CSRF_COOKIE
from unifier.service import passwords
from unifier.store import account_rows
from unifier.store.engine import create_engine

TIMED_AGENTS = 5  # agents signed in; the login limits allow 30 attempts a client address


@dataclass(frozen=True)
class Credential:
    agent_id: str
    email: str
    password: str


async def give_passwords(dsn: str, tenant: str, agent_ids: list[str]) -> list[Credential]:
    """A fresh random password for each agent (its hash replaces the seeded unusable one)."""
    out = []
    engine = create_engine(dsn)
    try:
        async with engine.begin() as conn:
            for agent_id in agent_ids:
                found = await account_rows.agent(conn, tenant, agent_id)
                assert found is not None, f"no seeded agent {agent_id}"
                password = "bench-" + secrets.token_urlsafe(18)
                hashed = passwords.hash_password(password)
                await account_rows.update_agent(conn, tenant, agent_id, password_hash=hashed)
                out.append(Credential(agent_id, found.email, password))
    finally:
        await engine.dispose()
    return out


async def sign_in(client: httpx.AsyncClient, who: Credential) -> float:
    """Sign ``client`` in as ``who`` through the sign-in form; the milliseconds it took."""
    t0 = time.perf_counter()
    form = await client.get("/login")
    assert form.status_code == 200, form.status_code
    token = client.cookies.get(LOGIN_CSRF_COOKIE)
    assert token, "the sign-in form set no CSRF cookie"
    fields = {"email": who.email, "password": who.password, "csrf_token": token, "next": "/inbox"}
    answer = await client.post("/login", data=fields)
    assert answer.status_code == 303, (who.email, answer.status_code, answer.text[:200])
    assert client.cookies.get(SESSION_COOKIE), "signed in without a session cookie"
    return (time.perf_counter() - t0) * 1000


@asynccontextmanager
async def signed_in(
    base: str, who: list[Credential], limits: httpx.Limits | None = None
) -> AsyncIterator[tuple[dict[str, httpx.AsyncClient], list[float]]]:
    """A signed-in client per agent (its own cookie jar, redirects not followed), and the
    milliseconds each sign-in took (argon2 verification included)."""
    timeout = httpx.Timeout(120, read=None)
    chosen = limits or httpx.Limits()
    async with AsyncExitStack() as stack:
        clients, took = {}, []
        for c in who:
            client = httpx.AsyncClient(base_url=base, timeout=timeout, limits=chosen)
            clients[c.agent_id] = await stack.enter_async_context(client)
            took.append(await sign_in(client, c))
        yield clients, took
