"""The edges' ack-latency view in the bench results: parsed from a real /metrics rendering."""

from __future__ import annotations

from bench.edge_latency import summary, webhook_buckets
from hotline.metrics import Metrics


def test_shares_and_quantile_buckets_from_the_webhook_routes_only() -> None:
    m = Metrics("social_ingest")
    for seconds in [0.004] * 90 + [0.02] * 9 + [0.3]:
        m.latency.labels("/webhooks/meta").observe(seconds)
    m.latency.labels("/healthz").observe(3.0)  # not a webhook: left out
    text = m.render().decode()
    s = summary(webhook_buckets(text))
    assert s["requests"] == 100
    assert s["share_within"]["10ms"] == 0.9 and s["share_within"]["25ms"] == 0.99  # type: ignore[index]
    assert s["p50_at_most_ms"] == 5.0 and s["p99_at_most_ms"] == 25.0
    two_edges = webhook_buckets(text, into=webhook_buckets(text))
    assert summary(two_edges)["requests"] == 200


def test_no_requests_says_so() -> None:
    assert summary({}) == {"requests": 0}
