"""Reply results from the channels: reply status, and our sent Message-ID threads the answer."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import events as ev
from unifier.domain.exchange import answer_keys
from unifier.service.outbound import record_results
from unifier.store import reply_rows, thread_rows


async def apply_results(conn: AsyncConnection, tenant: str, results: list[ev.ReplyResult]) -> None:
    await reply_rows.set_statuses(conn, tenant, {r.reply_id: r.status for r in results})
    await thread_rows.point_keys(conn, tenant, answer_keys(results))
    await record_results(conn, tenant, results)
