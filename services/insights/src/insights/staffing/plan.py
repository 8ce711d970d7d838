"""The staffing curve: agents required per interval of a forecast, by the channel's model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from insights.staffing import erlang_a, erlang_c
from insights.staffing.targets import Channel, Target, scheduled
from insights.staffing.workload import agents_for_work


@dataclass(frozen=True)
class Need:
    on_line: int  # agents answering contacts
    scheduled: int  # agents to roster, shrinkage included
    service_level: float | None  # what on_line achieves (None: workload model)
    occupancy: float | None


def staffing(
    arrivals: Sequence[float],
    step: timedelta,
    target: Target,
    channel: Channel = "phone",
    email_window: timedelta | None = None,
) -> list[Need]:
    """Erlang A for contacts that wait when the patience is known, else Erlang C; the
    workload model for email."""
    if channel == "email":
        counts = agents_for_work(np.asarray(arrivals, float), step, target, email_window)
        return [Need(n, scheduled(n, target.shrinkage), None, None) for n in counts]
    return [_queued(a / step.total_seconds(), target) for a in arrivals]


def _queued(rate: float, target: Target) -> Need:
    if target.patience is not None:
        qa = erlang_a.agents_for(rate, target)
        return Need(
            qa.agents, scheduled(qa.agents, target.shrinkage), qa.service_level, qa.occupancy
        )
    q = erlang_c.agents_for(rate * target.aht, target)
    return Need(q.agents, scheduled(q.agents, target.shrinkage), q.service_level, q.occupancy)
