"""The bench's reading of the host CPU: busy and steal shares between two /proc/stat lines."""

from __future__ import annotations

from pathlib import Path

from bench.host import shares, ticks


def test_busy_and_steal_are_shares_of_all_cpu_time(tmp_path: Path) -> None:
    stat = tmp_path / "stat"
    stat.write_text("cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3\n")
    before = ticks(stat)
    stat.write_text("cpu  700 0 250 900 50 0 0 100 0 0\ncpu0 1 2 3\n")
    # user +600, system +200, idle +100, steal +100 of 1,000 ticks
    assert shares(before, ticks(stat)) == {"busy": 0.9, "steal": 0.1}


def test_without_proc_stat_nothing_is_claimed(tmp_path: Path) -> None:
    assert ticks(tmp_path / "absent") == []
    assert shares([], []) == {"busy": None, "steal": None}


def test_this_host_has_the_counters() -> None:
    assert len(ticks()) == 8
