"""SLA attainment and CSAT in the operations report from their store queries
(``unifier.store.ops_quality_rows``) on both databases: the ended SLA clocks (fulfilled, breached;
running ones count in neither) and the answered surveys (any scale; unanswered ones
count in nothing) of the window's conversations, of this tenant only, in the report's rows and
total."""

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
from unifier.store.schema_surveys import surveys

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


def survey(tenant: str, tid: str, sid: str, scale: int, score: int | None) -> dict[str, Any]:
    return {
        "tenant": tenant, "survey_id": sid, "thread_id": tid, "cycle": 1,
        "channel_kind": "email", "account_id": "a", "recipient": "r", "agent": "ana",
        "reply_id": sid, "scale": scale, "asked_at": T0 + H, "expires_at": T0 + 9 * H,
        "score": score, "comment": None, "answered_at": None if score is None else T0 + 2 * H,
        "answers": int(score is not None), "late_answers": 0,
    }  # fmt: skip


async def test_sla_attainment_and_csat_by_channel(engine: AsyncEngine) -> None:
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
        await conn.execute(
            sa.insert(surveys),
            [survey("acme", "mail", "s1", 5, 5), survey("acme", "wa", "s2", 3, 2),
             survey("acme", "wa", "s3", 3, None), survey("other", "mail", "s4", 5, 1)],
        )  # fmt: skip
    scope = Scope("channel", window(T0 - H, T0 + 24 * H, None))
    async with engine.connect() as conn:
        rep = await ops_report.operations(conn, "acme", scope)
    got = {
        r.key: (r.sla_fulfilled, r.sla_breached, r.sla_attainment, r.csat_answers, r.csat_mean)
        for r in [*rep.rows, rep.total]
    }
    assert got == {
        "email": (1, 1, 0.5, 1, 5.0),
        "whatsapp": (1, 0, 1.0, 1, 3.0),
        "total": (2, 1, 2 / 3, 2, 4.0),
    }
