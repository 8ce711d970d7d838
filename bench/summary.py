"""What a scenario's result says: percentiles, rates, end-to-end latency per message, and the
fault drills' own checks (acks during a broker outage, throughput after its restart)."""

from __future__ import annotations

import itertools
import os
import statistics
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from hotline_tools.load.generator import Record
from hotline_tools.load.verify import Key, Report, load_key

if TYPE_CHECKING:
    from bench.scenarios import Run


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))], 2)


def summarize(run: Run, report: Report, e2e: list[float]) -> dict[str, object]:
    s = run.scenario
    http = [
        (r.acked_at - r.due) * 1000
        for r in run.records
        if r.ok and r.acked_at and r.attempts == 1 and r.channel != "email"
    ]
    smtp = [
        (r.acked_at - r.due) * 1000
        for r in run.records
        if r.ok and r.acked_at and r.attempts == 1 and r.channel == "email"
    ]
    rates = stored_rates(run.sampler.samples)
    return {
        "id": s.id,
        "title": s.title,
        "target": s.target,
        "rate_offered": s.rate,
        "retry_share": s.retry_share,
        "unifier_nice": s.unifier_nice,
        "duration_s": s.duration,
        "database": s.database,
        "cores": os.cpu_count(),
        "sent": len(run.records),
        "acked": sum(r.ok for r in run.records),
        "non_2xx_responses": sum(1 for r in run.records if r.attempts > 1 or not r.ok),
        "failed_attempts_by_status": dict(Counter(s for r in run.records for s in r.failures)),
        "http_ack_ms": {"p50": pct(http, 0.5), "p90": pct(http, 0.9), "p99": pct(http, 0.99)},
        "smtp_ack_ms": {"p50": pct(smtp, 0.5), "p99": pct(smtp, 0.99)},
        "send_lateness_ms": lateness(run.records),
        "receive_to_committed_ms": {"p50": pct(e2e, 0.5), "p99": pct(e2e, 0.99)},
        "stored_per_s": {
            "median": round(statistics.median(rates), 1) if rates else None,
            "max": round(max(rates), 1) if rates else None,
        },
        "delivery": report.summary(),
        "faults": run.faults.marks,
        "timeline": run.sampler.samples,
        "acks_during_faults": acks_during(run),
        "broker_recovery": recovery(run),
    }


def lateness(records: list[Record]) -> dict[str, float | None]:
    """How late the generator itself started sends (due -> first attempt): part of every ack
    latency above, spent in the generator, not in the services."""
    late = [(r.sent_at - r.due) * 1000 for r in records if r.sent_at is not None]
    return {"p50": pct(late, 0.5), "p99": pct(late, 0.99)}


def end_to_end_ms(
    records: list[Record],
    stream: list[tuple[str, str, int]],
    by_message_id: dict[str, Key],
    to_run: Callable[[float], float],
) -> list[tuple[str, float, float]]:
    """(channel, due, ms): due time of the first send -> Kafka timestamp of
    conversation.message.added.v1 (written by the outbox relay after the row committed: an
    upper bound of 'committed'), put on the run's clock by ``to_run``."""
    first = {load_key(r.channel, r.provider_id): r for r in records if r.retry_of is None}
    out = []
    for _, message_id, ts_ms in stream:
        record = first.get(by_message_id.get(message_id, ("", "")))
        if record is not None:
            ms = (to_run(ts_ms / 1000) - record.due) * 1000
            out.append((record.channel, record.due, ms))
    return out


def by_channel(e2e: list[tuple[str, float, float]]) -> dict[str, dict[str, float | None]]:
    """Where a tail comes from: the same percentiles per inbound channel."""
    groups: dict[str, list[float]] = {}
    for channel, _, ms in e2e:
        groups.setdefault(channel, []).append(ms)
    return {c: {"p50": pct(v, 0.5), "p99": pct(v, 0.99), "n": len(v)} for c, v in groups.items()}


def by_minute(e2e: list[tuple[str, float, float]]) -> list[float | None]:
    """p99 per minute of the run (by due time): a tail that grows with the run shows here."""
    if not e2e:
        return []
    start = min(due for _, due, _ in e2e)
    minutes: dict[int, list[float]] = {}
    for _, due, ms in e2e:
        minutes.setdefault(int((due - start) // 60), []).append(ms)
    return [pct(minutes[m], 0.99) for m in sorted(minutes)]


def stored_rates(samples: list[dict[str, float]]) -> list[float]:
    out = []
    for a, b in itertools.pairwise(samples):
        if b["t"] > a["t"]:
            out.append((b["stored"] - a["stored"]) / (b["t"] - a["t"]))
    nonzero = [r for r in out if r > 0]
    return nonzero or out


def acks_during(run: Run) -> int:
    """New messages answered 2xx/250 while a killed broker was down (must be 0). A provider
    retry of a message acked before the outage may be answered from the edge's memory of
    what it already published: that is correct and not counted."""
    kills = [
        _time(m) for m in run.faults.marks if m["target"] == "broker" and m["what"] == "kill -9"
    ]
    ups = [
        _time(m) for m in run.faults.marks if m["target"] == "broker" and m["what"] == "listening"
    ]
    windows = [(k + 1.0, u) for k, u in zip(kills, ups, strict=False)]
    acked_before = {
        r.provider_id: r.acked_at for r in run.records if r.retry_of is None and r.acked_at
    }
    count = 0
    for r in run.records:
        if not r.acked_at or not any(lo < r.acked_at < hi for lo, hi in windows):
            continue
        first = acked_before.get(r.provider_id)
        if r.retry_of is None or first is None or first >= windows[0][0] - 1.0:
            count += 1
    return count


def recovery(run: Run) -> dict[str, float | None] | None:
    """Edge throughput in the 30 s after the broker serves again vs the 10 s before the kill."""
    marks = {m["what"]: _time(m) for m in run.faults.marks if m["target"] == "broker"}
    if "kill -9" not in marks or "listening" not in marks:
        return None
    killed, restarted = marks["kill -9"], marks["listening"]
    acks = [r.acked_at for r in run.records if r.acked_at]
    before = sum(1 for t in acks if killed - 10 <= t < killed) / 10
    after = sum(1 for t in acks if restarted <= t < restarted + 30) / 30
    return {
        "before_per_s": round(before, 1),
        "after_30s_per_s": round(after, 1),
        "ratio": round(after / before, 3) if before else None,
        "restart_took_s": round(restarted - killed, 1),
    }


def _time(mark: dict[str, object]) -> float:
    t = mark["t"]
    assert isinstance(t, float)
    return t
