"""The rows of an agent reply in its thread: its message row, the state a result moves, and
the effects held for the provider id it gets."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.domain.working import MessageState, MsgKey
from unifier.store.load import message_state
from unifier.store.schema import held, messages

_m, _h = messages.c, held.c
STATE_COLS = (
    _m.message_id,
    _m.thread_id,
    _m.text,
    _m.edited,
    _m.deleted,
    _m.reactions,
    _m.status,
    _m.reply_id,
    _m.status_detail,
    _m.history,
)


def _at(tenant: str, key: MsgKey) -> tuple[sa.ColumnElement[bool], ...]:
    return _m.tenant == tenant, _m.provider_message_id == key[1], _m.channel_kind == key[0]


async def add_message(conn: AsyncConnection, values: Mapping[str, Any]) -> None:
    await conn.execute(sa.insert(messages).values(**values))


async def state_of(conn: AsyncConnection, tenant: str, key: MsgKey) -> MessageState | None:
    row = (await conn.execute(sa.select(*STATE_COLS).where(*_at(tenant, key)))).first()
    return None if row is None else message_state(row)


async def take_held(conn: AsyncConnection, tenant: str, key: MsgKey) -> list[bytes]:
    """The payloads held for this provider id, in arrival order, removed from the hold."""
    where = (_h.tenant == tenant, _h.channel_kind == key[0], _h.target_id == key[1])
    rows = await conn.execute(sa.select(_h.payload).where(*where).order_by(_h.id))
    payloads = [payload for (payload,) in rows]
    await conn.execute(held.delete().where(*where))
    return payloads


async def save_state(
    conn: AsyncConnection, tenant: str, old: MsgKey, provider_id: str, s: MessageState
) -> None:
    """The message stored at ``old`` takes ``provider_id`` and the state ``s``."""
    values: dict[str, Any] = {
        "provider_message_id": provider_id,
        "status": s.status,
        "status_detail": s.status_detail,
        "text": s.text,
        "edited": s.edited,
        "deleted": s.deleted,
        "reactions": json.dumps(s.reactions),
        "history": json.dumps(s.history) if s.history else None,
    }
    await conn.execute(messages.update().where(*_at(tenant, old)).values(values))
