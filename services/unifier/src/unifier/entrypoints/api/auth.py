"""Who is asking: a ``Principal`` (tenant, agent, role) for every API call and page.

Two ways in. A browser signs in at ``/login`` and holds a server-side session in the HttpOnly
cookie ``hotline_session``; every state-changing request it makes must echo the session's
CSRF token (header ``X-CSRF-Token``, or form field ``csrf_token``). An integration sends an
API token as ``Authorization: Bearer …`` (no CSRF: nothing ambient); tokens are created by
admins (``api_tokens`` table) or given by configuration (``HOTLINE_API_TOKENS``). No
credential is ever taken from a URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal
from urllib.parse import quote

from fastapi import HTTPException, Request

from hotline.http import Rejected
from unifier.domain.accounts import AccountPolicy, same_secret
from unifier.service import sessions
from unifier.settings import UnifierSettings

Role = Literal["admin", "agent", "integration"]
SESSION_COOKIE = "hotline_session"
CONFIG_TOKEN = "token:config"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class Principal:
    tenant: str
    agent_id: str  # an agent's id; an API token acts as "token:<token id>"
    name: str  # shown in the thread as the author
    role: Role
    csrf_token: str = ""  # a session's; every unsafe request from a page echoes it

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def manages_accounts(self) -> bool:
        """Admins, and the operator's configured token (it can create the first admin)."""
        return self.is_admin or self.agent_id == CONFIG_TOKEN


def account_manager(who: Principal) -> Principal:
    """``who`` when they may manage agents and API tokens; anyone else is answered 403."""
    if not who.manages_accounts:
        raise Rejected(403, "forbidden", "only an admin manages agents and API tokens")
    return who


def settings_of(request: Request) -> UnifierSettings:
    settings: UnifierSettings = request.app.state.hotline.settings
    return settings


def policy_of(settings: UnifierSettings) -> AccountPolicy:
    return AccountPolicy(
        max_failures=settings.lockout_failures,
        lock_for=timedelta(minutes=settings.lockout_minutes),
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_absolute_hours),
    )


def _config_tenant(settings: UnifierSettings, token: str) -> str | None:
    for tenant, secret in settings.api_tokens.items():
        if same_secret(token, secret.get_secret_value()):
            return tenant
    return None


async def _from_bearer(request: Request, header: str) -> Principal:
    given = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    if tenant := _config_tenant(settings_of(request), given):
        return Principal(tenant, CONFIG_TOKEN, "integration", "integration")
    if given:
        async with request.app.state.runtime.engine.begin() as conn:
            row = await sessions.token_owner(conn, given, datetime.now(UTC))
        if row is not None:
            return Principal(row.tenant, f"token:{row.token_id}", row.name, "integration")
    raise Rejected(401, "unauthorized", "this API token is unknown or revoked")


async def _given_csrf(request: Request) -> str | None:
    if header := request.headers.get("x-csrf-token"):
        return header
    if request.headers.get("content-type", "").startswith(FORMS):
        value = (await request.form()).get("csrf_token")
        return value if isinstance(value, str) else None
    return None


async def check_csrf(request: Request, who: Principal) -> None:
    """A state-changing request riding on the session cookie must prove it came from our page."""
    if request.method in UNSAFE and not same_secret(await _given_csrf(request), who.csrf_token):
        raise Rejected(403, "csrf", "missing or wrong CSRF token: reload the page and try again")


async def _from_session(request: Request, cookie: str) -> Principal | str:
    now, policy = datetime.now(UTC), policy_of(settings_of(request))
    async with request.app.state.runtime.engine.begin() as conn:
        found = await sessions.lookup(conn, cookie, now, policy)
    if found.row is None:
        return found.status
    row = found.row
    role: Role = "admin" if row.role == "admin" else "agent"
    who = Principal(row.tenant, row.agent_id, row.name, role, row.csrf_token)
    await check_csrf(request, who)
    return who


async def resolve(request: Request) -> Principal | str:
    """The principal, or why there is none: "missing", "expired" or "unknown" (a session
    ended by sign-out elsewhere). A bad API token or CSRF token is refused outright."""
    if header := request.headers.get("authorization"):
        return await _from_bearer(request, header)
    if cookie := request.cookies.get(SESSION_COOKIE):
        return await _from_session(request, cookie)
    return "missing"


async def anyone(request: Request) -> Principal:
    """Signed in or holding a token, of whichever tenant (``/api/me``)."""
    who = await resolve(request)
    if isinstance(who, str):
        detail = "your session expired, sign in again" if who == "expired" else ""
        raise Rejected(401, "unauthorized", detail or "sign in, or send an API token")
    return who


async def principal(request: Request, tenant: str) -> Principal:
    """FastAPI dependency of ``/api/tenants/{tenant}/…``: 401 without credentials, 403 when
    they belong to another tenant."""
    who = await anyone(request)
    if who.tenant != tenant:
        raise Rejected(403, "forbidden", f"these credentials do not grant access to {tenant}")
    return who


def login_url(target: str, expired: bool) -> str:
    return f"/login?next={quote(target, safe='/')}" + ("&expired=1" if expired else "")


async def page_principal(request: Request) -> Principal:
    """FastAPI dependency of the workspace pages (``/inbox…``): the tenant is the principal's.
    Not signed in: 303 to the sign-in page (htmx requests: 401 with ``HX-Redirect``)."""
    who = await resolve(request)
    if isinstance(who, Principal):
        return who
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.headers.get("hx-request"):
        here = request.headers.get("hx-current-url", "/inbox")
        here = "/" + here.split("://", 1)[-1].partition("/")[2]
    target = login_url(here, expired=who != "missing")
    if request.headers.get("hx-request"):
        raise HTTPException(401, "sign in again", headers={"HX-Redirect": target})
    raise HTTPException(303, "sign in", headers={"Location": target})


async def authorize(request: Request, tenant: str) -> str:
    """The tenant only, for routes that need no more."""
    return (await principal(request, tenant)).tenant
