"""Suggested links agents decide: accept (merge + ``agent_confirmed`` identity) or dismiss.
(Listed by ``queries.contact_suggestions``.)

A suggestion is one row per pair of contacts; once accepted or dismissed it stays, so the
unifier never suggests that pair again (it loads the batch's pairs with the working set).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import events as ev
from hotline import unified as un
from unifier.service.commands import CommandError, event_id, manual_info, merge_contacts, root_of
from unifier.service.unmerge import ACCEPTED
from unifier.store import suggestion_rows
from unifier.store.queries import members, suggestion_view
from unifier.store.timeline_rows import agent_names
from unifier.store.write import write_outbox


async def _open(conn: AsyncConnection, tenant: str, contact_id: str, sid: str) -> Any:
    """The suggestion, if it is about this contact and not yet decided (else 404 / 409)."""
    if not await suggestion_rows.contact_exists(conn, tenant, contact_id):
        raise CommandError(404, "not_found", f"contact {contact_id}")
    row = await suggestion_rows.suggestion(conn, tenant, sid)
    mine = await members(conn, tenant, contact_id)
    if row is None or not {row.contact_id, row.suggested_contact_id} & set(mine):
        raise CommandError(404, "not_found", f"suggestion {sid} of contact {contact_id}")
    if row.status != "open":
        by = row.decided_by or "someone"
        by = (await agent_names(conn, tenant, {by})).get(by, by)  # an agent by name
        raise CommandError(
            409, "already_decided", f"suggestion {sid} was already {row.status} by {by}"
        )
    return suggestion_view(row, mine)


async def _decide(conn: AsyncConnection, tenant: str, sid: str, status: str, by: str) -> None:
    await suggestion_rows.decide(conn, tenant, sid, status, by, datetime.now(UTC))


async def dismiss(
    conn: AsyncConnection, tenant: str, contact_id: str, sid: str, by: str
) -> un.ContactSuggestionDismissed:
    s = await _open(conn, tenant, contact_id, sid)
    await _decide(conn, tenant, sid, "dismissed", by)
    event = un.ContactSuggestionDismissed(
        event_id=event_id(),
        tenant=tenant,
        occurred_at=datetime.now(UTC),
        contact_id=s["contact_id"],
        suggested_contact_id=s["suggested_contact_id"],
        suggestion_id=sid,
        dismissed_by=by,
        decision=manual_info(
            "suggestion.dismissed",
            f"{by}: contacts {s['contact_id']} and {s['suggested_contact_id']} are different",
        ),
    )
    await write_outbox(conn, [event])
    return event


async def accept(
    conn: AsyncConnection, tenant: str, contact_id: str, sid: str, by: str
) -> un.ContactMerged:
    """Merge the suggested contact into this one; the identifier that matched is recorded on
    the merged contact as ``agent_confirmed`` (later messages with it link by themselves)."""
    s = await _open(conn, tenant, contact_id, sid)
    target = await root_of(conn, tenant, contact_id)
    source = await root_of(conn, tenant, s["suggested_contact_id"])
    if source == target:
        raise CommandError(409, "already_merged", f"{source} and {target} are already merged")
    ident = _confirmed(s, by)
    why = manual_info(ACCEPTED, f"{by} accepted suggestion {sid}: {s['evidence']}")
    merged = await merge_contacts(
        conn, tenant, source, target, by, why=why, identity=ident, suggestion_id=sid
    )
    await _decide(conn, tenant, sid, "accepted", by)
    if ident is not None:
        await _record(conn, tenant, source, ident, why, s)
    return merged


def _confirmed(s: dict[str, Any], by: str) -> ev.Identifier | None:
    i = s["identity"]
    if i is None:
        return None
    return ev.Identifier(
        kind=i["kind"],
        value=i["value"],
        source=f"agent:{by}",
        verified=True,
        level="agent_confirmed",
    )


async def _record(
    conn: AsyncConnection,
    tenant: str,
    contact_id: str,
    ident: ev.Identifier,
    why: un.DecisionInfo,
    s: dict[str, Any],
) -> None:
    """The agent_confirmed identity, replying where the matched identity replies."""
    seen = await suggestion_rows.reply_address(conn, tenant, ident.kind, ident.value, contact_id)
    channel_kind, account_id, handle = seen if seen is not None else ("", "", ident.value)
    row = {
        "tenant": tenant,
        "kind": ident.kind,
        "value": ident.value,
        "level": "agent_confirmed",
        "verified": True,
        "contact_id": contact_id,
        "source": ident.source,
        "channel_kind": channel_kind,
        "account_id": account_id,
        "handle": handle,
        "link_event_id": s["source_event_id"],
        "rule": why.rule,
        "evidence": why.evidence,
    }
    await suggestion_rows.add_identity(conn, row)
    channel = (
        ev.ChannelRef(kind=cast(ev.ChannelKind, channel_kind), account_id=account_id)
        if channel_kind
        else None
    )
    linked = un.ContactLinked(
        event_id=event_id(),
        tenant=tenant,
        occurred_at=datetime.now(UTC),
        contact_id=contact_id,
        identity=ident,
        channel=channel,
        decision=why,
        source_event_id=s["source_event_id"],
    )
    await write_outbox(conn, [linked])
