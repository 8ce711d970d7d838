"""API tokens per tenant: no/unknown token 401, a token of another tenant 403."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Header, Query, Request

from hotline.http import Rejected
from unifier.settings import UnifierSettings


def _tenant_of(settings: UnifierSettings, token: str) -> str | None:
    for tenant, secret in settings.api_tokens.items():
        if hmac.compare_digest(secret.get_secret_value().encode(), token.encode()):
            return tenant
    return None


def authorize(
    request: Request,
    tenant: str,
    authorization: Annotated[str | None, Header()] = None,
    token: Annotated[str | None, Query(include_in_schema=False)] = None,
) -> str:
    """FastAPI dependency: the tenant, once the bearer token (or ?token= for pages) is its own."""
    settings: UnifierSettings = request.app.state.hotline.settings
    given = token or (authorization or "").removeprefix("Bearer ").strip()
    owner = _tenant_of(settings, given) if given else None
    if owner is None:
        raise Rejected(401, "unauthorized", "a valid API token is required")
    if owner != tenant:
        raise Rejected(403, "forbidden", f"this token does not grant access to tenant {tenant}")
    return tenant
