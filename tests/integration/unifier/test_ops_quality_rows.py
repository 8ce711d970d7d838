"""SLA attainment in the operations report from its store query
(``unifier.store.ops_quality_rows``) on both databases: the ended SLA clocks (fulfilled,
breached; running ones count in neither) of the window's conversations, of this tenant only,
in the report's rows and total; CSAT stays "not measured"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from unifier.domain.ops_report import Scope
from unifier.domain.ops_window import window
from unifier.service import ops_report
from unifier.store.schema import threads
from unifier.store.schema_sla import sla_clocks

pytestmark = pytest.mark.integration
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


def thread(tenant: str, tid: str, kind: str) -> dict[str, Any]:
    return {
        "tenant": tenant, "thread_id": tid, "contact_id": "c", "channel_kind": kind,
        "open": False, "opened_at": T0, "last_message_at": T0, "closed_at": T0 + H,
        "message_count": 1, "subject": "s",
    }  # fmt: skip


def clock(tenant: str, tid: str, target: str, n: int, state: str) -> dict[str, Any]:
    return {
        "tenant": tenant, "thread_id": tid, "cycle": 1, "target": target, "n": n,
        "policy": "p", "state": state, "started_at": T0, "due_at": T0 + H, "warn_at": None,
        "warned_at": None, "ended_at": None, "emitted": "", "updated_at": T0,
    }  # fmt: skip


async def test_sla_attainment_by_channel(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            sa.insert(threads),
            [thread("acme", "mail", "email"), thread("acme", "wa", "whatsapp"),
             thread("other", "mail", "email")],
        )  # fmt: skip
        await conn.execute(
            sa.insert(sla_clocks),
            [clock("acme", "mail", "first_response", 1, "fulfilled"),
             clock("acme", "mail", "resolution", 1, "breached"),
             clock("acme", "wa", "first_response", 1, "fulfilled"),
             clock("acme", "wa", "next_response", 1, "running"),
             clock("other", "mail", "first_response", 1, "breached")],
        )  # fmt: skip
    scope = Scope("channel", window(T0 - H, T0 + 24 * H, None))
    async with engine.connect() as conn:
        rep = await ops_report.operations(conn, "acme", scope)
    got = {
        r.key: (r.sla_fulfilled, r.sla_breached, r.sla_attainment, r.csat_answers)
        for r in [*rep.rows, rep.total]
    }
    assert got == {
        "email": (1, 1, 0.5, None),
        "whatsapp": (1, 0, 1.0, None),
        "total": (2, 1, 2 / 3, None),
    }
    assert list(rep.not_measured) == ["csat"]
