"""Signing a browser (or an API client) in as an agent of a tenant, for the workspace tests.

The one place tests learn how agents authenticate: every page test calls ``sign_in`` and never
builds credentials itself, so the way in can change here alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI
from playwright.async_api import BrowserContext


@dataclass(frozen=True)
class SignedIn:
    tenant: str
    agent_id: str
    name: str


async def sign_in(
    context: BrowserContext, base: str, app: FastAPI, tenant: str, *, name: str = "Ana"
) -> SignedIn:
    """Make every request of ``context`` come from agent ``name`` of ``tenant`` (an admin).

    Stand-in until accounts land: the tenant's configured API token as a header."""
    token = app.state.hotline.settings.api_tokens[tenant].get_secret_value()
    await context.set_extra_http_headers({"Authorization": f"Bearer {token}", "X-Agent": name})
    return SignedIn(tenant=tenant, agent_id=name, name=name)
