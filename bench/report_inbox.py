"""The report's section for make bench-inbox (``bench/results/inbox.json``)."""

from __future__ import annotations

from typing import Any


def _p(d: dict[str, Any]) -> str:
    return f"{d['p50']} / {d['p95']} / {d['p99']}"


def inbox_section(doc: dict[str, Any]) -> list[str]:
    """The agent inbox at 1,000,000 conversations (issue 23)."""
    rows, v, sse = doc["store"]["rows"], doc["verdict"], doc["sse"]
    t = doc["targets"]
    out = [
        "## Agent inbox at 1,000,000 conversations (`make bench-inbox`)",
        "",
        f"PostgreSQL, {rows['threads']:,} conversations, {rows['messages']:,} messages, "
        f"{doc['store']['sizes']['agents']} agents; {doc['cpu_count']} cores shared with other "
        f"work (load average {doc['loadavg_at_start'][0]} at the start, "
        f"{doc['loadavg_at_end'][0]} at the end; host busy {doc['host']['busy']}). "
        f"p95 worst list {v['list_p95_ms_worst']} ms (target {t['list_p95_ms']}), thread "
        f"{v['thread_p95_ms']} ms ({t['thread_p95_ms']}), search {v['search_p95_ms']} ms "
        f"({t['search_p95_ms']}); SSE to {sse['agents']} agents p99 {v['sse_p99_ms']} ms "
        f"({t['sse_p99_ms']}), {sse['rss_kib_per_agent']} KiB per connected agent.",
        "",
        "| operation (HTTP) | p50 / p95 / p99 ms |",
        "|---|---|",
    ]
    out += [f"| {name} | {_p(d)} |" for name, d in doc["http"].items()]
    return [*out, ""]
