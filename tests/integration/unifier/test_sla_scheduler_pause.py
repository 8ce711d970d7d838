"""The SLA scheduler's pause between rounds: a look that came due while a round ran starts the
next round at once; a thread still due at the round's own moment (left due by its recompute)
waits a short retry instead of spinning the loop; a future look is waited for exactly; a failed
round waits the poll, not the stale next look."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from unifier.entrypoints.sla_scheduler import RETRY_S, SlaScheduler
from unifier.settings import UnifierSettings
from unifier.store.engine import create_engine

pytestmark = pytest.mark.integration


def scheduler(tmp_path: Path) -> SlaScheduler:
    dsn = f"sqlite:///{tmp_path}/empty.db"  # no tables: every round fails
    settings = UnifierSettings(database_url=dsn, env="test", sla_poll_seconds=0.5)
    return SlaScheduler(create_engine(dsn), settings, lambda _changed: None)


async def paused_s(s: SlaScheduler) -> float:
    t0 = time.monotonic()
    await s.pause(asyncio.Event())
    return time.monotonic() - t0


async def test_a_look_due_during_the_round_starts_the_next_at_once(tmp_path: Path) -> None:
    s = scheduler(tmp_path)
    assert await s.holding.check()  # SQLite: the one instance always holds the lease
    now = datetime.now(UTC)
    s.round_at, s.next_at = now - timedelta(milliseconds=50), now - timedelta(milliseconds=10)
    assert await paused_s(s) < RETRY_S / 2
    s.next_at = s.round_at  # still due at the round's moment: the retry, not a spin
    assert RETRY_S * 0.9 <= await paused_s(s) < 0.4
    s.next_at = datetime.now(UTC) + timedelta(milliseconds=150)
    assert 0.13 <= await paused_s(s) < 0.4
    await s.engine.dispose()


async def test_a_failed_round_waits_the_poll(tmp_path: Path) -> None:
    s = scheduler(tmp_path)
    assert await s.holding.check()
    s.round_at = datetime.now(UTC) - timedelta(seconds=1)
    s.next_at = datetime.now(UTC) - timedelta(milliseconds=10)
    assert await s.turn() is False
    assert s.next_at is None
    assert 0.45 <= await paused_s(s) < 1.0
    await s.engine.dispose()
