"""Erlang C (M/M/N): Poisson arrivals, exponential handling, callers who wait as long as it
takes. The probability of waiting from Erlang B's stable recursion (no factorials)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from insights.staffing.targets import Target


@dataclass(frozen=True)
class Queue:
    agents: int
    load: float  # offered traffic, Erlangs: arrival rate x AHT
    wait_probability: float
    service_level: float  # share answered within the target's answer time
    asa: float  # average speed of answer, seconds
    occupancy: float


def erlang_b(agents: int, load: float) -> float:
    """Blocking probability of ``agents`` servers offered ``load`` Erlangs."""
    b = 1.0
    for k in range(1, agents + 1):
        b = load * b / (k + load * b)
    return b


def wait_probability(agents: int, load: float) -> float:
    """Erlang C: the chance an arriving contact waits (1 when the queue is unstable)."""
    if agents <= load:
        return 1.0
    b = erlang_b(agents, load)
    return agents * b / (agents - load * (1 - b))


def queue(agents: int, load: float, target: Target) -> Queue:
    pw = wait_probability(agents, load)
    if agents <= load:
        return Queue(agents, load, 1.0, 0.0, math.inf, 1.0)
    spare = agents - load
    sl = 1 - pw * math.exp(-spare * target.answer_time / target.aht)
    return Queue(agents, load, pw, sl, pw * target.aht / spare, load / agents)


def agents_for(load: float, target: Target) -> Queue:
    """The fewest agents on line meeting the service level within the maximum occupancy."""
    if load <= 0:
        return Queue(0, 0.0, 0.0, 1.0, 0.0, 0.0)
    n = max(1, math.floor(load / target.max_occupancy))
    while True:
        q = queue(n, load, target)
        if q.service_level >= target.service_level and q.occupancy <= target.max_occupancy:
            return q
        n += 1
