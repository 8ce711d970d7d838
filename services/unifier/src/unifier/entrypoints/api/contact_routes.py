"""Agent API: find contacts by name, email or phone (the contact panel's "Merge with…")."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from unifier.entrypoints.api.auth import Principal, principal
from unifier.entrypoints.runtime import ConsumerRuntime
from unifier.store.contact_search import search_contacts

router = APIRouter(prefix="/api/tenants/{tenant}", tags=["agent"])
Who = Annotated[Principal, Depends(principal)]
SearchText = Annotated[
    str, Query(min_length=2, max_length=200, description="part of a name, email or phone")
]


@router.get("/contacts")
async def find_contacts(
    request: Request,
    tenant: str,
    who: Who,
    q: SearchText,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[dict[str, Any]]:
    """Contacts whose name, email or phone contains ``q`` (merged ones as their survivor)."""
    runtime: ConsumerRuntime = request.app.state.runtime
    async with runtime.engine.connect() as conn:
        return await search_contacts(conn, tenant, q, limit)
