"""make bench-p2-sweep: P1's traffic at a ladder of offered rates, to show up to which rate P2
(HTTP ack p50 <= 10 ms, p99 <= 25 ms) holds on this machine -> bench/results/p2-sweep.json.

Each point is a whole P1 run (fresh stack, 20% provider retries, delivery verified), shorter
than P1's. `BENCH_SWEEP_RATES` (comma-separated, msg/s) and `BENCH_SWEEP_SECONDS` set the ladder;
`BENCH_UNIFIER_NICE` applies as in `bench.e2e_bench`."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from typing import Any

from bench import e2e_bench
from bench.common import write_result
from bench.scenarios import execute
from hotline import collector, eventloop

RATES = [
    float(r) for r in os.environ.get("BENCH_SWEEP_RATES", "500,1000,1500,2000,2500,3000").split(",")
]
SECONDS = float(os.environ.get("BENCH_SWEEP_SECONDS", "45"))
P2 = {"p50": 10.0, "p99": 25.0}


def point(rate: float) -> dict[str, Any]:
    base = next(s for s in e2e_bench.scenarios() if s.id == "P1")
    s = dataclasses.replace(base, rate=rate, duration=SECONDS)
    doc: dict[str, Any] = eventloop.run(execute(s), stop_on_term=True)
    ack, edge = doc["http_ack_ms"], doc.get("edge_ack") or {}
    return {
        "rate_offered": rate,
        "acked": doc["acked"],
        "http_ack_ms": ack,
        "p2_met": ack["p50"] <= P2["p50"] and ack["p99"] <= P2["p99"],
        "edge_within": edge.get("share_within"),
        "send_lateness_ms": doc.get("send_lateness_ms"),
        "receive_to_committed_ms": doc["receive_to_committed_ms"],
        "stored_per_s": doc["stored_per_s"],
        "host_cpu": doc.get("host_cpu"),
        "cpu_window": doc.get("cpu_window"),
        "delivery": {k: doc["delivery"][k] for k in ("ok", "lost", "duplicates", "out_of_order")},
    }


def main() -> int:
    collector.tune()
    points = []
    for rate in RATES:
        p = point(rate)
        points.append(p)
        print(json.dumps({k: p[k] for k in ("rate_offered", "http_ack_ms", "p2_met", "delivery")}))
    met = [p["rate_offered"] for p in points if p["p2_met"]]
    write_result(
        "p2-sweep",
        {
            "seconds_per_point": SECONDS,
            "target": "P2: ack p50 <= 10 ms, p99 <= 25 ms",
            "highest_rate_p2_met": max(met) if met else None,
            "unifier_nice": e2e_bench.UNIFIER_NICE,
            "points": points,
        },
    )
    return 0 if all(p["delivery"]["ok"] for p in points) else 1


if __name__ == "__main__":
    sys.exit(main())
