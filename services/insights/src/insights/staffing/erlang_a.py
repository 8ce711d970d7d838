"""Erlang A (M/M/N+M, Palm's queue): Erlang C plus callers who hang up after an exponential
patience, so the queue is stable at any load. Exact, from the birth-death chain's stationary
distribution (Mandelbaum & Zeltyn, "The Palm/Erlang-A Queue", 2004/2009).

Service level: the share of *all* arrivals answered within the answer time (one who hangs
up first counts against it). A caller who finds j others waiting is answered only if every
step before the head of the queue comes before their own patience runs out; the steps leave
at rates Nμ + iθ, so being answered has probability Nμ / (Nμ + (j+1)θ) and, given that, the
wait is a sum of exponentials at rates Nμ + iθ (i = 1..j+1): the (j+1)-th order statistic of
Nμ/θ + j + 1 exponentials of rate θ, a regularised incomplete beta function.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import betainc, gammaln, logsumexp

from insights.forecast.series import Values
from insights.staffing.targets import Target


@dataclass(frozen=True)
class PatientQueue:
    agents: int
    load: float  # offered Erlangs
    wait_probability: float
    abandon_probability: float
    service_level: float
    asa: float  # mean wait of all arrivals, seconds
    occupancy: float


def stationary(agents: int, rate: float, target: Target) -> Values:
    """P(k contacts in the system), k = 0..K, with K past the last non-negligible state."""
    mu, theta = 1 / target.aht, 1 / float(target.patience or math.inf)
    k = np.arange(agents + 1)
    head = k * math.log(rate / mu) - gammaln(k + 1)
    spill = math.ceil(max(0.0, rate - agents * mu) / theta)
    j = np.arange(1, spill + 12 * math.ceil(math.sqrt(rate / theta + 1)) + 50)
    tail = head[-1] + np.cumsum(np.log(rate / (agents * mu + j * theta)))
    logs = np.concatenate([head, tail])
    return np.asarray(np.exp(logs - logsumexp(logs)), dtype=np.float64)


def patient_queue(agents: int, rate: float, target: Target) -> PatientQueue:
    """``rate``: arrivals a second."""
    p, n = stationary(agents, rate, target), agents
    mu, theta = 1 / target.aht, 1 / float(target.patience or math.inf)
    waiting = p[n:]
    ahead = np.arange(len(waiting))
    queued = float(np.dot(ahead, waiting))
    answered = n * mu / (n * mu + (ahead + 1) * theta)
    in_time = betainc(ahead + 1, n * mu / theta + 1, -math.expm1(-theta * target.answer_time))
    served_share = 1 - theta * queued / rate
    return PatientQueue(
        agents=n,
        load=rate * target.aht,
        wait_probability=float(waiting.sum()),
        abandon_probability=1 - served_share,
        service_level=float(p[:n].sum() + np.dot(waiting, answered * in_time)),
        asa=queued / rate,
        occupancy=rate * served_share * target.aht / n,
    )


def agents_for(rate: float, target: Target, max_abandon: float = 1.0) -> PatientQueue:
    """The fewest agents meeting the service level, the maximum occupancy and abandonment."""
    if rate <= 0:
        return PatientQueue(0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    n = max(1, math.floor(rate * target.aht * 0.5))
    while True:
        q = patient_queue(n, rate, target)
        ok = q.service_level >= target.service_level and q.abandon_probability <= max_abandon
        if ok and q.occupancy <= target.max_occupancy:
            return q
        n += 1
