"""Find contacts by what agents know of them: a name they wrote under, an email address or a
phone number (any part, case-insensitive). Answers the contacts agents work with: one merged
into another is found as the one it is merged into."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.domain.names import label
from unifier.store.contacts import merge_children, merge_pointers, merged_members
from unifier.store.names import seen_as
from unifier.store.schema import identities, messages

Row = dict[str, Any]
SEARCHED_KINDS = ("email", "phone")
_i, _m = identities.c, messages.c


def _phone_digits(text: str) -> str | None:
    """ "+49 151 000-21" -> "4915100021": phones are stored in E.164 (a wa_id without "+")."""
    digits = "".join(ch for ch in text if ch.isdigit())
    return digits if len(digits) >= 3 and not any(ch.isalpha() for ch in text) else None


async def _matching(conn: AsyncConnection, tenant: str, text: str, limit: int) -> list[str]:
    needle = text.lower()
    by_value = sa.func.lower(_i.value).contains(needle, autoescape=True)
    digits = _phone_digits(text)
    if digits:
        by_value = sa.or_(by_value, _i.value.contains(digits, autoescape=True))
    found = sa.select(_i.contact_id).where(
        _i.tenant == tenant, _i.kind.in_(SEARCHED_KINDS), by_value
    )
    named = sa.select(_m.contact_id).where(
        _m.tenant == tenant,
        _m.role == "customer",
        sa.func.lower(_m.sender_name).contains(needle, autoescape=True),
    )
    q = sa.union(found, named).limit(limit)
    return sorted({r[0] for r in await conn.execute(q)})


def _root(parent: dict[str, str], cid: str) -> str:
    hops = 0
    while cid in parent and hops < 1000:  # a cycle cannot be written, but never spin
        cid, hops = parent[cid], hops + 1
    return cid


async def _identities(
    conn: AsyncConnection, tenant: str, groups: dict[str, list[str]]
) -> dict[str, list[dict[str, str]]]:
    """Each root -> the emails and phones of its group, without repeats."""
    owner = {m: root for root, group in groups.items() for m in group}
    rows = await conn.execute(
        sa.select(_i.contact_id, _i.kind, _i.value)
        .where(_i.tenant == tenant, _i.kind.in_(SEARCHED_KINDS), _i.contact_id.in_(list(owner)))
        .order_by(_i.kind, _i.value)
    )
    out: dict[str, list[dict[str, str]]] = {root: [] for root in groups}
    for r in rows:
        found = {"kind": r.kind, "value": r.value}
        if found not in out[owner[r.contact_id]]:
            out[owner[r.contact_id]].append(found)
    return out


async def search_contacts(
    conn: AsyncConnection, tenant: str, text: str, limit: int = 20
) -> list[Row]:
    """Contacts (roots of merges) whose name, email or phone contains ``text``, with their
    display name and their emails and phones."""
    hits = await _matching(conn, tenant, text.strip(), limit * 4)
    parent = await merge_pointers(conn, tenant)
    roots = sorted({_root(parent, h) for h in hits})[:limit]
    children = merge_children(parent)
    groups = {r: merged_members(r, children) for r in roots}
    seen = await seen_as(conn, tenant, roots)
    ids = await _identities(conn, tenant, groups)
    return [
        {"contact_id": c, "display_name": label(seen[c]) or c, "identities": ids[c]} for c in roots
    ]
