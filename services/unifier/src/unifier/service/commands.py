"""Agent commands on contacts: merge and unmerge. Each is an event (threads: thread_commands).

Nothing is destroyed: a merge sets a pointer that an unmerge clears, so the merged contact,
its identities (each still routing replies to its own channel address) and its threads come
back exactly as they were; messages that arrived during the merge through its identities go
back to it (``unmerge.restore_messages``).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import unified as un
from hotline.events import Identifier
from unifier.service.unmerge import restore_messages
from unifier.store import contacts as store_contacts
from unifier.store.queries import members
from unifier.store.write import write_outbox

T = TypeVar("T")

MANUAL = "manual"


class CommandError(Exception):
    def __init__(self, status: int, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}")
        self.status, self.reason, self.detail = status, reason, detail


def known(found: T | None, what: str) -> T:
    """``found``, or the 404 that names ``what`` (e.g. "agent a1") when there is none."""
    if found is None:
        raise CommandError(404, "not_found", what)
    return found


def manual_info(rule: str, evidence: str) -> un.DecisionInfo:
    return un.DecisionInfo(rule=rule, evidence=evidence, rule_version=MANUAL)


def event_id() -> str:
    return str(uuid.uuid4())


async def _merged_into(conn: AsyncConnection, tenant: str, cid: str) -> str | None:
    try:
        return await store_contacts.merged_into(conn, tenant, cid)
    except store_contacts.NoContact:
        raise CommandError(404, "not_found", f"contact {cid}") from None


async def root_of(conn: AsyncConnection, tenant: str, cid: str) -> str:
    """The contact ``cid`` is merged into, transitively (itself when not merged)."""
    seen = {cid}
    while (into := await _merged_into(conn, tenant, cid)) and into not in seen:
        seen.add(into)
        cid = into
    return cid


async def merge_contacts(
    conn: AsyncConnection,
    tenant: str,
    source: str,
    target: str,
    by: str,
    *,
    why: un.DecisionInfo | None = None,
    identity: Identifier | None = None,
    suggestion_id: str | None = None,
) -> un.ContactMerged:
    src_into = await _merged_into(conn, tenant, source)
    await _merged_into(conn, tenant, target)  # read for its 404 when the target does not exist
    if (
        src_into is not None
        or source in await members(conn, tenant, target)
        or (target in await members(conn, tenant, source))
    ):
        raise CommandError(409, "already_merged", f"{source} and {target} are already merged")
    await store_contacts.set_merged_into(conn, tenant, source, target)
    event = un.ContactMerged(
        event_id=event_id(),
        tenant=tenant,
        occurred_at=datetime.now(UTC),
        contact_id=target,
        merged_contact_id=source,
        merged_by=by,
        decision=why or manual_info("manual.merge", f"{by} merged contact {source} into {target}"),
        identity=identity,
        suggestion_id=suggestion_id,
    )
    await write_outbox(conn, [event])
    return event


async def unmerge_contact(
    conn: AsyncConnection, tenant: str, contact_id: str, by: str
) -> un.ContactUnmerged:
    into = await _merged_into(conn, tenant, contact_id)
    if into is None:
        raise CommandError(409, "not_merged", f"contact {contact_id} is not merged")
    await store_contacts.set_merged_into(conn, tenant, contact_id, None)
    restored = await restore_messages(conn, tenant, contact_id)
    event = un.ContactUnmerged(
        event_id=event_id(),
        tenant=tenant,
        occurred_at=datetime.now(UTC),
        contact_id=into,
        unmerged_contact_id=contact_id,
        unmerged_by=by,
        decision=manual_info(
            "manual.unmerge",
            f"{by} split contact {contact_id} from {into};"
            f" {restored} message(s) from the merged period given back",
        ),
        restored_messages=restored,
    )
    await write_outbox(conn, [event])
    return event
