"""The bench's per-process CPU and run-queue wait, from the threads' schedstat counters."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from bench.processes import Usage, children, shares, usage


def fake_proc(root: Path, pid: int, threads: dict[int, str], kids: str = "") -> None:
    for tid, line in threads.items():
        task = root / str(pid) / "task" / str(tid)
        task.mkdir(parents=True)
        (task / "schedstat").write_text(line + "\n")
    (root / str(pid) / "task" / str(pid) / "children").write_text(kids)


def test_threads_are_summed(tmp_path: Path) -> None:
    fake_proc(tmp_path, 7, {7: "1000 200 3", 8: "500 50 2"})
    assert usage(7, tmp_path) == Usage(run_ns=1500, wait_ns=250, runs=5)


def test_a_gone_process_has_no_usage(tmp_path: Path) -> None:
    assert usage(99, tmp_path) is None


def test_children_are_read_from_the_main_thread(tmp_path: Path) -> None:
    fake_proc(tmp_path, 7, {7: "0 0 0"}, kids="12 15 ")
    assert children(7, tmp_path) == [12, 15]
    assert children(8, tmp_path) == []


def test_shares_are_percent_of_one_core_and_wait_per_run() -> None:
    before = {"edge": Usage(0, 0, 0), "gone": Usage(0, 0, 0), "new": None}
    after = {
        "edge": Usage(run_ns=3 * 10**9, wait_ns=15 * 10**8, runs=3000),
        "gone": None,
        "new": Usage(1, 1, 1),
    }
    # 10 s: 3 s on a CPU = 30% of a core; 1.5 s runnable = 15%; 1.5 s / 3,000 runs = 500 µs
    assert shares(before, after, 10.0) == {
        "edge": {"cpu_pct": 30.0, "runqueue_wait_pct": 15.0, "wait_per_run_us": 500}
    }


def test_a_spinning_thread_of_this_process_shows_as_cpu() -> None:
    """The real counters: a live thread spinning adds run time. On a busy host the thread gets
    only part of a core, so the counters are read until they show 0.2 s or 10 s have passed
    (a thread that never showed would fail)."""
    first = usage(os.getpid())
    assert first is not None
    done = threading.Event()
    spinner = threading.Thread(target=spin, args=(done,))
    spinner.start()
    try:
        second = first
        deadline = time.monotonic() + 10
        while second.run_ns - first.run_ns < 0.2 * 10**9 and time.monotonic() < deadline:
            time.sleep(0.1)
            now = usage(os.getpid())  # read while the thread lives: its counters go with it
            assert now is not None
            second = now
    finally:
        done.set()
        spinner.join()
    assert second.run_ns - first.run_ns >= 0.2 * 10**9
    assert second.runs > first.runs


def spin(done: threading.Event) -> None:
    while not done.is_set():
        pass
