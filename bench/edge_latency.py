"""The edges' own view of ack latency: their ``hotline_request_seconds`` histograms (request
handled → response written, Kafka's ack included) for the webhook routes, scraped from
``/metrics`` once the load ends.

The generator's figure (due time → response read) is the one the targets are judged on; it
also holds the time a request waits in a socket for a busy edge and the generator's own delays
on the same two cores. The edge's figure leaves those out. Together they bracket the ack
latency. The histogram is cumulative since each process started (a scenario that kills an edge
loses the killed process's counts)."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from hotline_tools.devstack.stack import Stack

EDGES = ("chat_gateway", "social_ingest")
NOT_WEBHOOKS = ("/healthz", "/readyz", "/metrics")


async def scrape(stack: Stack) -> dict[str, object]:
    """The summary over both edges, or the error (an edge down at the end of a drill: the run
    still counts)."""
    buckets: dict[float, float] = {}
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            for name in EDGES:
                text = (await client.get(f"{stack.services[name].url}/metrics")).text
                webhook_buckets(text, into=buckets)
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
    return summary(buckets)


def webhook_buckets(text: str, into: dict[float, float] | None = None) -> dict[float, float]:
    """Cumulative counts per bucket bound over the webhook routes of one /metrics text, added
    to ``into`` (several edges make one histogram)."""
    out = {} if into is None else into
    for family in text_string_to_metric_families(text):
        if family.name != "hotline_request_seconds":
            continue
        for s in family.samples:
            if s.name.endswith("_bucket") and s.labels.get("route") not in NOT_WEBHOOKS:
                le = float(s.labels["le"])
                out[le] = out.get(le, 0.0) + float(s.value)
    return out


def summary(buckets: dict[float, float]) -> dict[str, object]:
    """Requests and the share answered within each bucket bound (exact at 10 and 25 ms: both are
    bucket bounds), and the bucket that holds p50 / p99."""
    total = buckets.get(float("inf"), 0.0)
    if not total:
        return {"requests": 0}
    bounds = sorted(b for b in buckets if b != float("inf"))
    within = {f"{b * 1000:g}ms": round(buckets[b] / total, 4) for b in bounds}
    return {
        "requests": int(total),
        "share_within": within,
        "p50_at_most_ms": _quantile_bound(buckets, bounds, total, 0.50),
        "p99_at_most_ms": _quantile_bound(buckets, bounds, total, 0.99),
    }


def _quantile_bound(
    buckets: dict[float, float], bounds: list[float], total: float, q: float
) -> float | None:
    for b in bounds:
        if buckets[b] >= q * total:
            return b * 1000
    return None
