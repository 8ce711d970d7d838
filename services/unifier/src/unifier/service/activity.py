"""Record what an agent (or a rule) did to a conversation, so the thread shows it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.store import activity_rows


async def record(
    conn: AsyncConnection,
    tenant: str,
    tid: str,
    kind: str,
    actor: str | None,
    at: datetime,
    **detail: Any,
) -> None:
    """One activity row (``detail`` as JSON: the reason, from/to, labels, ...)."""
    row = activity_rows.activity_row(tenant, str(uuid.uuid4()), tid, at, kind, actor, detail)
    await activity_rows.add(conn, [row])
