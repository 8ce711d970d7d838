"""Write a plan's identity claims; a claim another transaction made first is a lost race."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.domain.working import NewClaim
from unifier.store.dialect import insert_strict
from unifier.store.schema import claims


class IdentityRace(sa.exc.IntegrityError):
    """Another instance created a contact for one of these identifiers since the working set
    was loaded: roll back, load again, decide again (the winner's identity now links)."""


async def write_claims(conn: AsyncConnection, tenant: str, new: Sequence[NewClaim]) -> None:
    """Plain inserts (no ON CONFLICT): on PostgreSQL the second of two concurrent claims
    waits for the first transaction and fails when it commits."""
    rows = {
        (c.kind, c.value, c.claim_class): {
            "tenant": tenant,
            "kind": c.kind,
            "value": c.value,
            "claim_class": c.claim_class,
            "contact_id": c.contact_id,
        }
        for c in reversed(new)  # one row per key: the first claim wins within a plan
    }
    try:
        await insert_strict(conn, claims, sorted(rows.values(), key=_key))
    except sa.exc.IntegrityError as exc:
        orig = exc.orig if exc.orig is not None else exc
        raise IdentityRace(exc.statement, exc.params, orig) from exc


def _key(row: dict[str, str]) -> tuple[str, str, str]:
    """One order for every writer: two transactions never wait on each other's claims
    crosswise (a deadlock), one waits for the other."""
    return (row["kind"], row["value"], row["claim_class"])
