"""Who is asking: a ``Principal`` (tenant, agent, role) for every API call and page.

Until accounts land (issue 23: agents with argon2 passwords, server-side sessions, CSRF, API
tokens hashed at rest) the configured per-tenant API tokens stand in: a bearer token of the
tenant is an admin named by ``X-Agent``. Everything else depends only on ``Principal`` and the
two dependencies below, so the sign-in work changes this module and nothing that uses it.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Header, Query, Request

from hotline.http import Rejected
from unifier.settings import UnifierSettings

Role = Literal["admin", "agent", "integration"]


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


def _tenant_of(settings: UnifierSettings, token: str) -> str | None:
    for tenant, secret in settings.api_tokens.items():
        if hmac.compare_digest(secret.get_secret_value().encode(), token.encode()):
            return tenant
    return None


def _from_token(request: Request, given: str, agent: str | None) -> Principal:
    settings: UnifierSettings = request.app.state.hotline.settings
    owner = _tenant_of(settings, given) if given else None
    if owner is None:
        raise Rejected(401, "unauthorized", "a valid API token is required")
    name = agent or "agent"
    return Principal(tenant=owner, agent_id=name, name=name, role="admin")


def principal(
    request: Request,
    tenant: str,
    authorization: Annotated[str | None, Header()] = None,
    token: Annotated[str | None, Query(include_in_schema=False)] = None,
    agent: Annotated[str | None, Header(alias="X-Agent", include_in_schema=False)] = None,
) -> Principal:
    """FastAPI dependency of ``/api/tenants/{tenant}/…``: 401 without credentials, 403 when
    they belong to another tenant."""
    given = token or (authorization or "").removeprefix("Bearer ").strip()
    who = _from_token(request, given, agent)
    if who.tenant != tenant:
        raise Rejected(403, "forbidden", f"these credentials do not grant access to {tenant}")
    return who


def page_principal(
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
    token: Annotated[str | None, Query(include_in_schema=False)] = None,
    agent: Annotated[str | None, Header(alias="X-Agent", include_in_schema=False)] = None,
) -> Principal:
    """FastAPI dependency of the workspace pages (``/inbox…``): the tenant is the principal's."""
    given = token or (authorization or "").removeprefix("Bearer ").strip()
    return _from_token(request, given, agent)


def authorize(
    request: Request,
    tenant: str,
    authorization: Annotated[str | None, Header()] = None,
    token: Annotated[str | None, Query(include_in_schema=False)] = None,
    agent: Annotated[str | None, Header(alias="X-Agent", include_in_schema=False)] = None,
) -> str:
    """The tenant only, for routes that need no more."""
    return principal(request, tenant, authorization, token, agent).tenant
