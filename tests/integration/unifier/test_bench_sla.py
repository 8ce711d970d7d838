"""make bench-sla's seeded store (bench.sla_seed, bench.sla_data) on SQLite, with a few hundred
conversations: the bulk rows are what the unifier's own recompute stores for those
conversations (a recompute at the seed's moment changes nothing and emits nothing), and the
production scheduler's rounds on it emit exactly the breaches and warnings the bench expects
(one each, at their moment) and nothing for the conversations that keep running."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bench import sla_bench
from bench import sla_data as data
from bench import sla_seed as seed
from hotline import unified as un
from unifier.entrypoints.sla_scheduler import SlaScheduler
from unifier.service import sla_refresh
from unifier.settings import UnifierSettings
from unifier.store.engine import create_engine
from unifier.store.schema import outbox, threads
from unifier.store.sla_rows import stored_clocks

pytestmark = pytest.mark.integration
BACKGROUND, DUE = 300, 60


def fill(path: Path, start: datetime) -> sla_bench.Due:
    """BACKGROUND conversations seeded an hour before ``start``, then DUE breaches and
    warnings in the minute after it, as of ``start``."""
    rng = random.Random(3)
    roles: list[data.Role] = ["breach", "warning"]
    due = [(BACKGROUND + n, roles[n % 2], start + timedelta(seconds=rng.uniform(1, 60)))
           for n in range(DUE)]  # fmt: skip
    filler = seed.SqliteFill(str(path))
    filler.write(sla_bench.background_chunk((0, BACKGROUND, start - timedelta(hours=1), "sqlite")))
    filler.write(sla_bench.due_chunk((due, start, "sqlite")))
    filler.close()
    return due


async def test_seeded_rows_are_the_recomputes_own(tmp_path: Path) -> None:
    dsn, start = f"sqlite:///{tmp_path}/sla.db", datetime.now(UTC).replace(microsecond=0)
    await seed.prepare(dsn)
    fill(tmp_path / "sla.db", start)
    engine = create_engine(dsn)
    try:
        async with engine.connect() as conn:
            tids = [r.thread_id for r in await conn.execute(sa.select(threads.c.thread_id))]
            stored = await stored_clocks(conn, data.TENANT, tids)
            plans = await sla_refresh.plan(conn, data.TENANT, tids, start, lock=False)
        assert len(plans) == BACKGROUND + DUE
        assert [p for p in plans if p.events] == []
        for p in plans:
            assert p.head.sla_next_at == p.wake
            assert p.head.sla_status == p.status()
            assert {k: s.state for k, s in stored[p.head.thread_id].items()} == {
                (c.cycle, c.target, c.n): c.state for c in p.clocks
            }
    finally:
        await engine.dispose()


async def test_the_scheduler_emits_what_the_bench_expects(tmp_path: Path) -> None:
    dsn, start = f"sqlite:///{tmp_path}/sla.db", datetime.now(UTC) - timedelta(minutes=5)
    await seed.prepare(dsn)
    due = fill(tmp_path / "sla.db", start)
    expected = sla_bench.expected(due)
    engine = create_engine(dsn)
    settings = UnifierSettings(database_url=dsn, env="test", sla_batch=25)
    scheduler = SlaScheduler(engine, settings, lambda _changed: None)
    try:
        while await scheduler.round(datetime.now(UTC)):
            pass
        async with engine.connect() as conn:
            payloads = (await conn.execute(sa.select(outbox.c.payload))).scalars().all()
    finally:
        await engine.dispose()
    events = [un.decode(p) for p in payloads]
    sla = [e for e in events if isinstance(e, un.SlaBreached | un.SlaWarning)]
    assert len(sla) == len(events) == DUE
    kinds = Counter(type(e).__name__ for e in sla)
    assert kinds == {"SlaBreached": DUE // 2, "SlaWarning": DUE // 2}
    for e in sla:
        role = "breach" if isinstance(e, un.SlaBreached) else "warning"
        assert expected[role][e.conversation_id] == e.at
    assert len({e.conversation_id for e in sla}) == DUE
