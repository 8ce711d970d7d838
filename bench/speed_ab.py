"""Issue 22 §3: does each speed mechanism still pay? One A/B per mechanism on today's code.

``python -m bench.speed_ab edges|unifier|nice [rounds]`` (run it under
``flock /tmp/hotline-bench.lock``). Each round runs the current code (A, ``base``) and every
variant with one mechanism switched off (B), in an order that rotates from round to round, so
the host's drift lands on all of them alike. Results: ``bench/results/speed-ab-<part>.json``.

- ``edges``: ``make bench-social`` then ``make bench-chat`` (shortened) on a fresh broker per
  variant; the services start through ``bench.ab_serve``. (Three more variants, without
  ``Fronted``, coalesced writes and ``proxy_headers=False``, ran on 8867da6 and went with
  those mechanisms.)
- ``unifier``: ``make bench-unifier``'s 60,000-event drains (SQLite, then PostgreSQL, fresh
  store each) in a process per variant, as the unifier's worker runs them (uvloop, collector
  tuned, no collections inside a poll's transaction).
- ``nice``: the e2e P1 run (60 s at 3,000/s) with the unifier's autogroup at nice 10 (A) and 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

EDGE_VARIANTS = ("base", "no_hotpath", "no_gc_tune")  # see bench.ab_serve
UNIFIER_VARIANTS = ("base", "no_tune", "no_paused", "asyncio_loop")
EDGE_SIZES = {"BENCH_N": "8000", "BENCH_RATE_SECONDS": "5", "BENCH_WIDGET_PER_SOCKET": "10"}
SITE = Path(__file__).parent / "ab_site"


def rotated(variants: tuple[str, ...], r: int) -> list[str]:
    k = r % len(variants)
    return [*variants[k:], *variants[:k]]


def edge_run(variant: str) -> dict[str, Any]:
    from bench import chat_bench, social_bench
    from bench.common import bench_broker
    from hotline_tools.devstack.broker import free_port

    argv = ("-m", "bench.ab_serve")
    out: dict[str, Any] = {}
    with bench_broker() as broker:
        assert broker.proc is not None
        port = free_port()
        with social_bench.service(broker.bootstrap, port, (*argv, "social_ingest", variant)) as p:
            out["social"] = asyncio.run(
                social_bench.run(broker.bootstrap, port, p.pid, broker.proc.pid)
            )
        port = free_port()
        with chat_bench.gateway(broker.bootstrap, port, (*argv, "chat_gateway", variant)) as p:
            out["chat"] = asyncio.run(chat_bench.run(broker.bootstrap, port, p.pid))
    return out


def edge_figures(doc: dict[str, Any]) -> dict[str, float]:
    s, c = doc["social"], doc["chat"]
    wide = s["closed_loop"][-1]
    return {
        "social_per_s": s["throughput_per_s"],
        "social_cpu_us": wide["service_cpu_ms_per_request"] * 1000,
        "social_client_cpu_us": wide["load_generator_cpu_ms_per_request"] * 1000,
        "social_p99_ms_1000": s["at_1000_per_s"]["p99_ms"],
        "chat_per_s": c["slack_closed_loop"]["per_s"],
        "chat_cpu_us": c["slack_closed_loop"]["gateway_cpu_ms_per_event"] * 1000,
        "chat_p99_ms_500": c["slack_at_500_per_s"]["p99_ms"],
        "widget_cpu_us": c["widget"]["gateway_cpu_ms_per_message"] * 1000,
        "exact": float(
            s["acked_200"] == s["records_on_broker"] and c["acked"] == c["records_on_broker"]
        ),
    }


def unifier_child(variant: str, bootstrap: str, work: str, dsn: str) -> dict[str, Any]:
    """One variant's drains, in its own process (the collector's state is per process)."""
    from bench.unifier_bench import N, drain
    from hotline import collector, eventloop

    if variant != "no_tune":
        collector.tune()
    if variant == "no_paused":
        collector.paused = contextlib.nullcontext  # type: ignore[assignment]
    run: Any = asyncio.run if variant == "asyncio_loop" else eventloop.run
    run(drain(bootstrap, f"sqlite:///{work}/w.db", 5000, 1000))  # warm-up
    sqlite = run(drain(bootstrap, f"sqlite:///{work}/a.db", N, N // 3))
    pg = run(drain(bootstrap, dsn, N, N // 3))
    return {"sqlite": sqlite, "postgresql": pg}


def unifier_run(variant: str, bootstrap: str, dsn: str, name: str) -> dict[str, Any]:
    host_port = dsn.rsplit("@", 1)[1].split("/", maxsplit=1)[0]
    host, port = host_port.split(":")
    subprocess.run(
        ["runuser", "-u", "postgres", "--", "/usr/bin/createdb", "-h", host, "-p", port,
         "-U", "postgres", name],
        check=True,
    )  # fmt: skip
    env = {**os.environ}
    if variant == "no_tune":
        env["HOTLINE_GC_THRESHOLD"] = "0"  # the relay child too
    if variant == "asyncio_loop":
        env["BENCH_AB_LOOP"] = "asyncio"
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SITE), env.get("PYTHONPATH")]))
    work = tempfile.mkdtemp(prefix="speed-ab-unifier-")
    out = subprocess.run(
        [sys.executable, "-m", "bench.speed_ab", "unifier-child", variant, bootstrap, work,
         dsn.rsplit("/", 1)[0] + "/" + name],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    doc: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return doc


def unifier_figures(doc: dict[str, Any]) -> dict[str, float]:
    return {
        "sqlite_per_s": doc["sqlite"]["events_per_s"],
        "postgresql_per_s": doc["postgresql"]["events_per_s"],
    }


def nice_run(nice: int) -> dict[str, Any]:
    from bench.e2e_bench import scenarios
    from bench.scenarios import execute
    from hotline import eventloop

    s = scenarios()[0]
    s.unifier_nice = nice
    doc: dict[str, Any] = eventloop.run(execute(s), stop_on_term=True)
    return doc


def nice_figures(doc: dict[str, Any]) -> dict[str, float]:
    ack, rc = doc["http_ack_ms"], doc["receive_to_committed_ms"]
    return {
        "ack_p50_ms": ack["p50"],
        "ack_p99_ms": ack["p99"],
        "committed_p99_ms": rc["p99"],
        "exact": float(doc["delivery"]["ok"]),
    }


def summary(runs: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    by: dict[str, dict[str, list[float]]] = {}
    for run in runs:
        for k, v in run["figures"].items():
            by.setdefault(run["variant"], {}).setdefault(k, []).append(v)
    return {
        variant: {k: round(statistics.fmean(vs), 2) for k, vs in figs.items()}
        for variant, figs in by.items()
    }


def save(part: str, runs: list[dict[str, Any]], **extra: Any) -> Path:
    from bench.common import write_result

    doc = {"part": part, "runs": runs, "mean": summary(runs), **extra}
    return write_result(f"speed-ab-{part}", doc)


def main(argv: list[str]) -> None:
    part = argv[0]
    if part == "unifier-child":
        print(json.dumps(unifier_child(*argv[1:5])))
        return
    rounds = int(argv[1]) if len(argv) > 1 else 3
    runs: list[dict[str, Any]] = []
    if part == "edges":
        os.environ.update({k: os.environ.get(k, v) for k, v in EDGE_SIZES.items()})
        for r in range(rounds):
            for variant in rotated(EDGE_VARIANTS, r):
                figures = edge_figures(doc := edge_run(variant))
                runs.append({"round": r, "variant": variant, "figures": figures, "raw": doc})
                print(json.dumps(runs[-1]["figures"] | {"variant": variant}), flush=True)
                save(part, runs, sizes=EDGE_SIZES, load=os.getloadavg())
    elif part == "unifier":
        from bench.common import bench_broker
        from bench.unifier_bench import postgres

        with bench_broker() as broker, postgres() as dsn:
            for r in range(rounds):
                for variant in rotated(UNIFIER_VARIANTS, r):
                    doc = unifier_run(variant, broker.bootstrap, dsn, f"ab_{r}_{variant}")
                    figures = unifier_figures(doc)
                    runs.append({"round": r, "variant": variant, "figures": figures, "raw": doc})
                    print(json.dumps(figures | {"variant": variant}), flush=True)
                    save(part, runs, load=os.getloadavg())
    elif part == "nice":
        os.environ.setdefault("BENCH_P1_RATE", "3000")
        from hotline import collector

        collector.tune()
        for r in range(rounds):
            for nice in (10, 0) if r % 2 == 0 else (0, 10):
                doc = nice_run(nice)
                variant = "base" if nice == 10 else "nice_0"
                figures = nice_figures(doc)
                runs.append({"round": r, "variant": variant, "figures": figures})
                print(json.dumps(figures | {"variant": variant}), flush=True)
                save(part, runs, load=os.getloadavg())


if __name__ == "__main__":
    main(sys.argv[1:])
