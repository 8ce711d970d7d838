"""Triage rows: the results per message, the tenant's rules, its category models, the category
labels agents give conversations, VIP contacts (``schema_triage``)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.domain.triage import TriageRecord
from unifier.domain.triage_rules import RANK
from unifier.store.dialect import insert_ignore, upsert, when
from unifier.store.schema import contacts, messages, threads
from unifier.store.schema_triage import (
    category_labels,
    triage_models,
    triage_rules,
    vip_contacts,
)

ASPECTS = ("language", "category", "priority")
_encode = msgspec.json.Encoder().encode


def _rank(column: sa.ColumnElement[Any]) -> sa.Case[Any]:
    """The priority's rank, its constants inlined (the bulk writer binds only its rows)."""
    return sa.case(
        *(
            (column == sa.literal_column(f"'{p}'"), sa.literal_column(str(r)))
            for p, r in RANK.items()
        ),
        else_=sa.literal_column("0"),
    )


def higher_priority(
    stored: sa.ColumnElement[Any], new: sa.ColumnElement[Any]
) -> sa.ColumnElement[Any]:
    """The thread keeps the higher of its stored priority and the batch's."""
    return sa.case((_rank(new) > _rank(stored), new), else_=stored)


def triage_json(records: list[TriageRecord]) -> str | None:
    """A message's triage results as stored in ``messages.triage`` (language, category,
    priority order); compact JSON by msgspec (one per message in the consumer's write path)."""
    if not records:
        return None
    ordered = sorted(records, key=lambda r: ASPECTS.index(r.aspect))
    return _encode([_fields(r) for r in ordered]).decode()


def _fields(r: TriageRecord) -> dict[str, Any]:
    return {
        "aspect": r.aspect,
        "value": r.value,
        "applied": r.applied,
        "source": r.source,
        "confidence": r.confidence,
        "evidence": r.evidence,
    }


async def rules_doc(conn: AsyncConnection, tenant: str) -> dict[str, Any] | None:
    q = sa.select(triage_rules.c.doc).where(triage_rules.c.tenant == tenant)
    doc = (await conn.execute(q)).scalar()
    return json.loads(doc) if doc else None


async def save_rules(conn: AsyncConnection, tenant: str, doc: dict[str, Any], by: str) -> None:
    row = {"tenant": tenant, "doc": json.dumps(doc), "updated_by": by, "updated_at": _now()}
    await upsert(conn, triage_rules, [row], ["doc", "updated_by", "updated_at"])


async def latest_model(conn: AsyncConnection, tenant: str) -> int | None:
    m = triage_models.c
    q = sa.select(sa.func.max(m.version)).where(m.tenant == tenant)
    version: int | None = (await conn.execute(q)).scalar()
    return version


async def model_blob(conn: AsyncConnection, tenant: str, version: int) -> bytes:
    m = triage_models.c
    q = sa.select(m.model).where(m.tenant == tenant, m.version == version)
    blob: bytes = (await conn.execute(q)).scalar_one()
    return blob


async def save_model(
    conn: AsyncConnection, tenant: str, blob: bytes, examples: int, categories: Iterable[str]
) -> int:
    version = (await latest_model(conn, tenant) or 0) + 1
    row = {
        "tenant": tenant,
        "version": version,
        "trained_at": _now(),
        "examples": examples,
        "categories": json.dumps(sorted(categories)),
        "model": blob,
    }
    await conn.execute(triage_models.insert().values(**row))
    return version


async def label_category(
    conn: AsyncConnection, tenant: str, thread_id: str, category: str, by: str
) -> None:
    row = {"tenant": tenant, "thread_id": thread_id, "category": category, "by": by, "at": _now()}
    await upsert(conn, category_labels, [row], ["category", "by", "at"])


async def training_examples(conn: AsyncConnection, tenant: str) -> list[tuple[str, str]]:
    """(text, category) per labelled conversation: its first customer message's text."""
    m, lab = messages.c, category_labels.c
    q = (
        sa.select(m.thread_id, m.text, lab.category)
        .join(category_labels, (lab.tenant == m.tenant) & (lab.thread_id == m.thread_id))
        .where(m.tenant == tenant, m.role == "customer")
        .order_by(m.thread_id, m.at)
    )
    first: dict[str, tuple[str, str]] = {}
    for tid, text, category in (await conn.execute(q)).all():
        first.setdefault(tid, (text or "", category))
    return [first[t] for t in sorted(first)]


async def set_vip(conn: AsyncConnection, tenant: str, contact: str, vip: bool, by: str) -> None:
    v = vip_contacts.c
    if vip:
        row = {"tenant": tenant, "contact_id": contact, "by": by, "at": _now()}
        await insert_ignore(conn, vip_contacts, [row])
    else:
        await conn.execute(vip_contacts.delete().where(v.tenant == tenant, v.contact_id == contact))


async def vips_among(conn: AsyncConnection, tenant: str, contacts: Iterable[str]) -> set[str]:
    wanted = sorted(set(contacts))
    if not wanted:
        return set()
    v = vip_contacts.c
    q = sa.select(v.contact_id).where(v.tenant == tenant, v.contact_id.in_(wanted))
    return {c for (c,) in (await conn.execute(q)).all()}


def _now() -> datetime:
    return datetime.now(UTC)


async def set_thread_category(
    conn: AsyncConnection, tenant: str, thread_id: str, category: str
) -> str | None:
    """The thread's category before (None: none yet)."""
    t = threads.c
    where = (t.tenant == tenant) & (t.thread_id == thread_id)
    before = (await conn.execute(sa.select(t.category).where(where))).scalar()
    await conn.execute(threads.update().where(where).values(category=category))
    return before


async def contact_exists(conn: AsyncConnection, tenant: str, contact: str) -> bool:
    c = contacts.c
    q = sa.select(c.contact_id).where(c.tenant == tenant, c.contact_id == contact)
    return (await conn.execute(q)).first() is not None


async def labelled_tenants(conn: AsyncConnection) -> list[tuple[str, datetime, datetime | None]]:
    """(tenant, its newest label's time, its newest model's training time) per labelled one."""
    lab, m = category_labels.c, triage_models.c
    newest = sa.select(lab.tenant, sa.func.max(lab.at).label("labelled")).group_by(lab.tenant)
    trained = sa.select(m.tenant, sa.func.max(m.trained_at).label("trained")).group_by(m.tenant)
    a, b = newest.subquery(), trained.subquery()
    q = sa.select(a.c.tenant, a.c.labelled, b.c.trained).outerjoin(b, a.c.tenant == b.c.tenant)
    return [(t, when(x), when(y) if y else None) for t, x, y in (await conn.execute(q)).all()]


async def models_of(conn: AsyncConnection, tenant: str) -> list[dict[str, Any]]:
    m = triage_models.c
    q = (
        sa.select(m.version, m.trained_at, m.examples, m.categories)
        .where(m.tenant == tenant)
        .order_by(m.version.desc())
    )
    return [
        {**row, "categories": json.loads(row["categories"])}
        for row in (await conn.execute(q)).mappings()
    ]
