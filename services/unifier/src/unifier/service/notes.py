"""Internal notes: written by agents for agents, stored in the thread's timeline and published
as conversation.note.added.v1 on the unified stream — never a reply, so no channel sends it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import unified as un
from unifier.service.commands import CommandError, event_id
from unifier.store import thread_rows, timeline_rows
from unifier.store.write import write_outbox

MAX_NOTE = 20_000  # characters, as a reply


async def add_note(
    conn: AsyncConnection, tenant: str, tid: str, author: str, text: str
) -> un.ConversationNoteAdded:
    if not text.strip():
        raise CommandError(422, "empty_note", "write the note first")
    if len(text) > MAX_NOTE:
        raise CommandError(422, "too_long", f"a note has at most {MAX_NOTE:,} characters")
    if await thread_rows.head(conn, tenant, tid) is None:
        raise CommandError(404, "not_found", f"conversation {tid}")
    now, note_id = datetime.now(UTC), str(uuid.uuid4())
    row = {"tenant": tenant, "note_id": note_id, "thread_id": tid, "author": author}
    await timeline_rows.add_note(conn, {**row, "at": now, "text": text})
    event = un.ConversationNoteAdded(
        event_id=event_id(),
        tenant=tenant,
        occurred_at=now,
        conversation_id=tid,
        note_id=note_id,
        author=author,
        text=text,
    )
    await write_outbox(conn, [event])
    return event
