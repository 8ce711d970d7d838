"""The P2 sweep's section of bench/report.md: a table and a plot of ack latency and each edge's
wait for a core against the offered rate (bench/results/p2-sweep.json, `make bench-p2-sweep`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt

from bench.report_sections import process_shares, save_plot, table_head

HEAD = table_head(
    "offered msg/s",
    "ack p50 / p90 / p99 ms",
    "P2",
    "edges within 25 ms",
    "receive→committed p99 ms",
    "host busy",
    "chat_gateway, social_ingest: CPU / waiting for a core (% of a core)",
    "lost / dup",
)


def edges(p: dict[str, Any]) -> str:
    procs = process_shares(p)
    each = [
        f"{procs[n]['cpu_pct']} / {procs[n]['runqueue_wait_pct']}"
        for n in ("chat_gateway", "social_ingest")
        if n in procs
    ]
    return ", ".join(each) or "–"


def row(p: dict[str, Any]) -> str:
    ack, within = p["http_ack_ms"], p.get("edge_within") or {}
    busy = (p.get("host_cpu") or {}).get("busy")
    return (
        f"| {p['rate_offered']:g} | {ack['p50']} / {ack['p90']} / {ack['p99']} | "
        f"{'met' if p['p2_met'] else 'missed'} | {within.get('25ms', 0):.1%} | "
        f"{p['receive_to_committed_ms']['p99']} | "
        f"{'–' if busy is None else f'{busy:.0%}'} | {edges(p)} | "
        f"{p['delivery']['lost']} / {p['delivery']['duplicates']} |"
    )


def plot(sweep: dict[str, Any], plots: Path) -> str:
    points = sweep["points"]
    rates = [p["rate_offered"] for p in points]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 5), sharex=True)
    for q in ("p50", "p90", "p99"):
        top.plot(rates, [p["http_ack_ms"][q] for p in points], marker="o", label=f"ack {q}")
    top.axhline(25, color="black", linestyle="--", linewidth=0.8, label="P2 p99 target")
    top.set_yscale("log")
    top.set_ylabel("ms (log)")
    top.legend(loc="upper left")
    for name in ("chat_gateway", "social_ingest"):
        waits = [process_shares(p).get(name, {}) for p in points]
        bottom.plot(rates, [w.get("runqueue_wait_pct") for w in waits], marker="o", label=name)
    bottom.set_ylabel("waiting for a core\n(% of one core)")
    bottom.set_xlabel("offered msg/s")
    bottom.legend(loc="upper left")
    top.set_title("P2 against the offered rate (each point a fresh P1 run)")
    return save_plot(fig, plots, "p2-sweep.png")


def section(sweep: dict[str, Any] | None, plots: Path) -> list[str]:
    if not sweep or not sweep.get("points"):
        return []
    best = sweep["highest_rate_p2_met"] or 0
    return [
        "## P2 against the offered rate (`make bench-p2-sweep`)",
        "",
        f"Each point: P1's mix for {sweep['seconds_per_point']:g} s on a fresh stack, delivery "
        f"verified. Highest rate with P2 met: {best:g} msg/s "
        f"({sweep['machine']['cores']} cores, run at {sweep['at'][:16]} UTC).",
        "",
        *HEAD,
        *(row(p) for p in sweep["points"]),
        "",
        f"![P2 sweep]({plot(sweep, plots)})",
        "",
    ]
