"""Signing in and out: ``/login`` (GET/POST), ``/logout``, ``/logout/everywhere``, ``/account``.

The sign-in form is protected before any session exists by a double submit: a random value in
the ``hotline_login_csrf`` cookie must come back as the form's ``csrf_token``. Attempts are
rate-limited per client address and per email (in memory, per process: ``LoginLimits``); the
per-account lockout is in the database and holds across processes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from unifier.domain.accounts import local_next, new_secret, normalize_email, same_secret
from unifier.domain.login_limits import SlidingWindow
from unifier.entrypoints.api.auth import (
    SESSION_COOKIE,
    Principal,
    page_principal,
    policy_of,
    settings_of,
)
from unifier.entrypoints.web.templating import render
from unifier.service import accounts, sessions
from unifier.service.accounts import SignInRefused
from unifier.service.commands import CommandError
from unifier.settings import UnifierSettings

router = APIRouter(tags=["page"])
Who = Annotated[Principal, Depends(page_principal)]
LOGIN_CSRF_COOKIE = "hotline_login_csrf"
WRONG = "Wrong email or password."
EXPIRED = "Your session expired, sign in again."


@dataclass
class LoginLimits:
    by_address: SlidingWindow
    by_email: SlidingWindow

    @classmethod
    def of(cls, s: UnifierSettings) -> LoginLimits:
        window = s.login_window_seconds
        return cls(
            SlidingWindow(s.login_attempts_per_address, window),
            SlidingWindow(s.login_attempts_per_email, window),
        )

    def allow(self, address: str, email: str) -> bool:
        now = time.monotonic()
        return self.by_address.allow(address, now) & self.by_email.allow(email, now)


def _secure(request: Request) -> bool:
    return settings_of(request).secure_cookies or request.url.scheme == "https"


def _form(request: Request, status: int = 200, **model: object) -> HTMLResponse:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or new_secret()
    values: dict[str, object] = {"error": "", "notice": "", "email": "", "next": "/inbox"}
    response = render("login.html", None, status, login_csrf=token, **{**values, **model})
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="lax", secure=_secure(request)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/", include_in_schema=False)
async def home() -> RedirectResponse:
    return RedirectResponse("/inbox", status_code=303)


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
async def login_page(request: Request, next: str = "/inbox", expired: bool = False) -> Response:
    return _form(request, next=local_next(next), notice=EXPIRED if expired else "")


def _refusal(refused: SignInRefused) -> tuple[int, str]:
    if refused.reason == "locked" and refused.locked_until is not None:
        until = refused.locked_until.astimezone(UTC).strftime("%H:%M")
        return 423, f"Too many wrong passwords: this account is locked until {until} UTC."
    return 401, WRONG


@router.post("/login", response_class=HTMLResponse, include_in_schema=False)
async def login(
    request: Request,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/inbox",
) -> Response:
    again = {"email": email, "next": local_next(next)}
    if not same_secret(csrf_token, request.cookies.get(LOGIN_CSRF_COOKIE)):
        error = "This sign-in form expired or did not come from this site; please try again."
        return _form(request, 403, error=error, **again)
    limits: LoginLimits = request.app.state.login_limits
    address = request.client.host if request.client else "?"
    if not limits.allow(address, normalize_email(email)):
        error = "Too many sign-in attempts; wait a few minutes and try again."
        return _form(request, 429, error=error, **again)
    return await _sign_in(request, email, password, local_next(next))


async def _sign_in(request: Request, email: str, password: str, target: str) -> Response:
    now, policy = datetime.now(UTC), policy_of(settings_of(request))
    address = request.client.host if request.client else "?"
    client = f"{address} {request.headers.get('user-agent', '')}"
    async with request.app.state.runtime.engine.begin() as conn:  # a failure is committed
        try:
            agent = await accounts.sign_in(conn, email, password, now, policy)
        except SignInRefused as refused:
            status, error = _refusal(refused)
            return _form(request, status, error=error, email=email, next=target)
        new = await sessions.start(conn, agent, client, now, policy)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        new.token,
        max_age=int(policy.absolute.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


def _signed_out(notice: str = "") -> RedirectResponse:
    response = RedirectResponse("/login" + (f"?{notice}" if notice else ""), status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/logout", include_in_schema=False)
async def logout(request: Request, who: Who) -> RedirectResponse:
    async with request.app.state.runtime.engine.begin() as conn:
        await sessions.end(conn, request.cookies.get(SESSION_COOKIE, ""))
    return _signed_out()


@router.post("/logout/everywhere", include_in_schema=False)
async def logout_everywhere(request: Request, who: Who) -> RedirectResponse:
    async with request.app.state.runtime.engine.begin() as conn:
        await sessions.end_everywhere(conn, who.tenant, who.agent_id)
    return _signed_out()


@router.get("/account", response_class=HTMLResponse, include_in_schema=False)
async def account(who: Who) -> HTMLResponse:
    return render("account.html", who, error="", notice="")


@router.post("/account/password", response_class=HTMLResponse, include_in_schema=False)
async def change_password(
    request: Request,
    who: Who,
    current: Annotated[str, Form(max_length=1024)],
    new: Annotated[str, Form(max_length=1024)],
) -> HTMLResponse:
    try:
        async with request.app.state.runtime.engine.begin() as conn:
            await accounts.change_password(conn, who.tenant, who.agent_id, current, new)
    except CommandError as exc:
        return render("account.html", who, exc.status, error=exc.detail, notice="")
    return render("account.html", who, notice="Password changed.", error="")
