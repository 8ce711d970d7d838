"""The run's clock: a wall-clock step (NTP, a VM restored from a snapshot) moves none of a
run's own measurements, and Kafka's wall-clock timestamps are put back on the run's clock."""

from __future__ import annotations

import asyncio
import time

import pytest

from hotline_tools.load.clock import RunClock, wall_to_run
from hotline_tools.load.generator import LoadRun, Target
from hotline_tools.load.mix import Mix, MixSettings, Send

STEP = 7.5  # seconds, as in the soak of 2026-12-05


class _SteppedMidRun(LoadRun):
    """Every send answered 200 at once (no network); the wall clock jumps forward at the 20th."""

    monkeypatch: pytest.MonkeyPatch

    async def _attempt(self, pools: object, send: Send) -> str:
        if send.seq == 20:
            real = time.time
            self.monkeypatch.setattr(time, "time", lambda: real() + STEP)
        return "200"


def test_a_wall_clock_step_moves_no_send_or_ack_time(monkeypatch: pytest.MonkeyPatch) -> None:
    run = _SteppedMidRun(Target(), Mix(MixSettings()), rate=200, duration=0.25)
    run.monkeypatch = monkeypatch
    records = asyncio.run(run.run())
    assert len(records) == 50 and all(r.ok for r in records)
    for r in records:  # the generator's own stamps, before and after the step
        assert r.sent_at is not None and r.acked_at is not None
        # a step would move them by STEP; a busy machine (parallel tests) by a fraction of one
        assert 0 <= r.sent_at - r.due < 1.0 and 0 <= r.acked_at - r.due < 1.0, r
    assert run.clock.drift() == pytest.approx(STEP, abs=0.05)  # the step is seen, and said


def test_the_clock_reads_epoch_seconds_at_its_start() -> None:
    clock = RunClock.start()
    assert clock.now() == pytest.approx(time.time(), abs=0.01)
    assert clock.drift() == pytest.approx(0.0, abs=0.01)


def test_wall_readings_are_put_on_the_run_clock_by_the_drift_then_in_force() -> None:
    points = [(100.0, 0.0), (101.0, 0.0), (102.0, STEP), (103.0, STEP)]
    to_run = wall_to_run(points)
    assert to_run(100.4) == pytest.approx(100.4)  # before the step
    assert to_run(102.3 + STEP) == pytest.approx(102.3)  # after it
    assert to_run(99.0) == pytest.approx(99.0)  # before the first point: its drift
    assert wall_to_run([])(5.0) == 5.0  # no samples: taken as is
