"""SLA attainment's and CSAT's facts for the operations report (``unifier.domain.ops_quality``):
the ended SLA clocks (fulfilled or breached) and the answered surveys (their latest accepted
score, on their scale) of the given threads, by ``(tenant, thread_id)``: the clocks' primary
key, ``ix_surveys_thread``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.domain.ops_quality import CsatAnswer, SlaOutcome
from unifier.store.schema_sla import sla_clocks
from unifier.store.schema_surveys import surveys

CHUNK = 500  # thread ids per query: well under every driver's bound-parameter limit


def _chunks(ids: Sequence[str]) -> Iterator[list[str]]:
    for i in range(0, len(ids), CHUNK):
        yield list(ids[i : i + CHUNK])


async def sla_outcomes(
    conn: AsyncConnection, tenant: str, thread_ids: Sequence[str]
) -> list[SlaOutcome]:
    c = sla_clocks.c
    out: list[SlaOutcome] = []
    for ids in _chunks(thread_ids):
        q = sa.select(c.thread_id, c.state).where(
            c.tenant == tenant, c.thread_id.in_(ids), c.state.in_(("fulfilled", "breached"))
        )
        out += [SlaOutcome(r.thread_id, r.state == "fulfilled") for r in await conn.execute(q)]
    return out


async def csat_answers(
    conn: AsyncConnection, tenant: str, thread_ids: Sequence[str]
) -> list[CsatAnswer]:
    s = surveys.c
    out: list[CsatAnswer] = []
    for ids in _chunks(thread_ids):
        q = sa.select(s.thread_id, s.score, s.scale).where(
            s.tenant == tenant, s.thread_id.in_(ids), s.score.is_not(None)
        )
        out += [CsatAnswer(r.thread_id, r.score, r.scale) for r in await conn.execute(q)]
    return out
