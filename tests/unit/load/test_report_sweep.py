"""The P2 sweep's section of the report: one row per rate, met or missed, and a plot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.report_sweep import section


def point(rate: float, p99: float, met: bool) -> dict[str, Any]:
    return {
        "rate_offered": rate,
        "http_ack_ms": {"p50": 7.0, "p90": 12.0, "p99": p99},
        "p2_met": met,
        "edge_within": {"25ms": 0.98},
        "receive_to_committed_ms": {"p99": 300.0},
        "host_cpu": {"busy": 0.61, "steal": 0.0},
        "cpu_window": {
            "processes": {
                "chat_gateway": {"cpu_pct": 21.3, "runqueue_wait_pct": 10.0},
                "social_ingest": {"cpu_pct": 23.1, "runqueue_wait_pct": 10.5},
            }
        },
        "delivery": {"ok": True, "lost": 0, "duplicates": 0, "out_of_order": 0},
    }


def test_each_rate_is_a_row_and_the_plot_is_written(tmp_path: Path) -> None:
    sweep = {
        "at": "2026-12-04T20:00:00+00:00",
        "machine": {"cores": 2},
        "seconds_per_point": 45.0,
        "highest_rate_p2_met": 1000.0,
        "points": [point(1000, 20.4, True), point(3000, 150.2, False)],
    }
    lines = section(sweep, tmp_path)
    text = "\n".join(lines)
    assert "Highest rate with P2 met: 1000 msg/s (2 cores" in text
    assert (
        "| 1000 | 7.0 / 12.0 / 20.4 | met | 98.0% | 300.0 | 61% | 21.3 / 10.0, 23.1 / 10.5 |"
        in text
    )
    assert "| 3000 | 7.0 / 12.0 / 150.2 | missed |" in text
    assert (tmp_path / "p2-sweep.png").stat().st_size > 0


def test_no_sweep_no_section(tmp_path: Path) -> None:
    assert section(None, tmp_path) == []
    assert not (tmp_path / "p2-sweep.png").exists()
