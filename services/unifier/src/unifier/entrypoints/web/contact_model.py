"""What the contact panel shows, read in one connection: the contact (``queries.get_contact``)
with its identities' levels in words, its conversations, merged members and suggestions with
the message behind each; and what agents are told when an action is refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.service.commands import CommandError, root_of
from unifier.store import queries
from unifier.store.contact_panel import messages_behind, own_labels
from unifier.store.contact_search import search_contacts
from unifier.store.timeline_rows import agent_names

LEVELS = {  # hotline.events.VerificationLevel, as agents read it
    "provider_verified": "verified by the channel provider",
    "site_signed": "signed by the website",
    "dmarc_aligned": "email authenticated (DKIM/DMARC)",
    "agent_confirmed": "confirmed by an agent",
    "carrier_asserted": "stated by the phone carrier (can be spoofed)",
    "unverified": "not verified",
}
MIN_SEARCH = 2


@dataclass(frozen=True)
class Notice:
    kind: str  # ok | error
    text: str


def refusal(exc: CommandError) -> Notice:
    detail = exc.detail or exc.reason.replace("_", " ")
    if exc.reason == "not_found":
        return Notice("error", f"Not found in this workspace: {detail}. Nothing was changed.")
    return Notice("error", f"{detail[:1].upper()}{detail[1:]}. Nothing was changed.")


def level_words(level: str | None) -> str:
    return LEVELS.get(level or "", level or "unknown")


async def panel_model(conn: AsyncConnection, tenant: str, cid: str) -> dict[str, Any] | None:
    found = await queries.get_contact(conn, tenant, cid)
    if found is None:
        return None
    for i in found["identities"]:
        i["level_words"] = level_words(i["level"])
    names = await own_labels(conn, tenant, found["merged_contacts"])
    found["members"] = [{"contact_id": m, "name": names[m]} for m in found["merged_contacts"]]
    found["member_names"] = names  # an identity of a merged contact says whose it is
    if found["merged_into"]:
        top = await own_labels(conn, tenant, [found["merged_into"]])
        found["merged_into_name"] = top[found["merged_into"]]
    found["conversations"] = await queries.list_conversations(conn, tenant, contact=cid)
    found["suggestions"] = await _suggestions(conn, tenant, cid, found["suggestions"])
    return found


async def _suggestions(
    conn: AsyncConnection, tenant: str, cid: str, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each suggestion with the other contact's name, the message that raised it and the name
    of the agent who decided it."""
    others = [s["suggested_contact_id"] for s in rows]
    names = await own_labels(conn, tenant, others)
    deciders = await agent_names(conn, tenant, {s["decided_by"] for s in rows if s["decided_by"]})
    mine = await queries.members(conn, tenant, cid)
    behind = await messages_behind(
        conn, tenant, [*mine, *others], [s["source_event_id"] for s in rows if s["source_event_id"]]
    )
    for s in rows:
        s["other_name"] = names[s["suggested_contact_id"]]
        s["message"] = behind.get(s["source_event_id"] or "")
        s["decided_by_name"] = deciders.get(s["decided_by"] or "", s["decided_by"])
        if s["identity"]:
            s["identity"]["level_words"] = level_words(s["identity"]["level"])
    return sorted(rows, key=lambda s: (s["status"] != "open", s["suggestion_id"]))


async def candidates(
    conn: AsyncConnection, tenant: str, cid: str, text: str
) -> list[dict[str, Any]] | None:
    """Contacts matching ``text`` outside this contact's merge group (None: too short)."""
    if await queries.get_contact(conn, tenant, cid) is None:
        return []
    if len(text.strip()) < MIN_SEARCH:
        return None
    group = set(await queries.members(conn, tenant, await root_of(conn, tenant, cid)))
    return [c for c in await search_contacts(conn, tenant, text) if c["contact_id"] not in group]
