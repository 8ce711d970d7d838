"""Triage, as agents and admins steer it: the tenant's rules (API and file), the category an
agent gives a conversation (a training label), VIP contacts, and training the category model.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from unifier.domain import labels as naming
from unifier.domain.triage_rules import RulesError, parse_rules
from unifier.service import classifier
from unifier.service.activity import record
from unifier.service.commands import CommandError
from unifier.store import thread_rows, triage_rows

log = logging.getLogger(__name__)


async def rules(conn: AsyncConnection, tenant: str) -> dict[str, Any]:
    return await triage_rows.rules_doc(conn, tenant) or {}


async def put_rules(conn: AsyncConnection, tenant: str, doc: Any, by: str) -> dict[str, Any]:
    """Replace the tenant's rules; a bad document is a 422 naming the fault, nothing changed."""
    try:
        parsed = parse_rules(doc)
    except RulesError as exc:
        raise CommandError(422, "bad_rules", str(exc)) from None
    await triage_rows.save_rules(conn, tenant, parsed.doc, by)
    return {"version": parsed.version, **parsed.doc}


def rules_file(path: Path) -> dict[str, Any]:
    """``{tenant: rules}`` from a JSON file, each checked (RulesError names the tenant)."""
    docs = json.loads(path.read_text())
    if not isinstance(docs, dict):
        raise RulesError(f"{path}: a JSON object of tenant -> rules")
    for tenant, doc in docs.items():
        try:
            parse_rules(doc)
        except RulesError as exc:
            raise RulesError(f"{path}: tenant {tenant}: {exc}") from None
    return docs


async def set_category(
    conn: AsyncConnection, tenant: str, thread_id: str, category: str, by: str
) -> dict[str, str]:
    """An agent's category for a conversation: its category now, and the model's label."""
    if await thread_rows.head(conn, tenant, thread_id) is None:
        raise CommandError(404, "not_found", f"conversation {thread_id}")
    try:
        name = naming.normalise(category)
    except naming.BadLabel as exc:
        raise CommandError(422, "bad_category", str(exc)) from None
    before = await triage_rows.set_thread_category(conn, tenant, thread_id, name)
    await triage_rows.label_category(conn, tenant, thread_id, name, by)
    if before != name:
        now = datetime.now(UTC)
        await record(
            conn, tenant, thread_id, "categorized", by, now, category=name, was=before or ""
        )
    return {"conversation_id": thread_id, "category": name}


async def set_vip(conn: AsyncConnection, tenant: str, contact: str, vip: bool, by: str) -> None:
    if not await triage_rows.contact_exists(conn, tenant, contact):
        raise CommandError(404, "not_found", f"contact {contact}")
    await triage_rows.set_vip(conn, tenant, contact, vip, by)


async def train(engine: AsyncEngine, tenant: str) -> dict[str, Any]:
    """Train the tenant's category model on its labelled conversations and store it as the
    next version (the consumer picks it up on its next batch); too few labels train none."""
    async with engine.connect() as conn:
        examples = await triage_rows.training_examples(conn, tenant)
    texts, labels = [t for t, _ in examples], [c for _, c in examples]
    if not classifier.trainable(labels):
        return {"tenant": tenant, "version": None, "examples": len(labels), "trained": False}
    blob = await asyncio.to_thread(classifier.train, texts, labels)
    async with engine.begin() as conn:
        version = await triage_rows.save_model(conn, tenant, blob, len(labels), set(labels))
    log.info("category model trained", extra={"tenant": tenant, "version": version})
    return {"tenant": tenant, "version": version, "examples": len(labels), "trained": True}


async def train_due(engine: AsyncEngine) -> list[dict[str, Any]]:
    """Train every tenant labelled since its last model (or without one)."""
    async with engine.connect() as conn:
        due = [t for t, labelled, trained in await triage_rows.labelled_tenants(conn)
               if trained is None or labelled > trained]  # fmt: skip
    return [await train(engine, t) for t in due]
