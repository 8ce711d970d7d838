"""Prometheus metrics: one registry per service process (tests build as many as they like)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "hotline_requests", "HTTP requests", ["route", "status"], registry=r
        )
        self.latency = Histogram(
            "hotline_request_seconds",
            "HTTP latency",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.produced = Counter("hotline_produced", "Events acked by Kafka", ["topic"], registry=r)
        self.rejected = Counter("hotline_rejected", "Inputs rejected", ["reason"], registry=r)
        self.dead_lettered = Counter(
            "hotline_dead_lettered", "Records sent to a DLQ", ["topic", "reason"], registry=r
        )
        self.consumed = Counter("hotline_consumed", "Records processed", ["topic"], registry=r)
        self.retries = Counter("hotline_retries", "Retriable failures", ["topic"], registry=r)
        self.stalls = Counter(
            "hotline_consumer_stalls",
            "Unclassified consumer failures (each attempt): the partition stalls, no DLQ",
            ["topic", "error"],
            registry=r,
        )
        self.stalled = Gauge(
            "hotline_consumer_stalled_partitions",
            "Partitions stalled on an unclassified failure",
            ["topic"],
            registry=r,
        )

    def render(self) -> bytes:
        out: bytes = generate_latest(self.registry)
        return out
