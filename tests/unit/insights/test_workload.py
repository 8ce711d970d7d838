"""Email staffing: hours of work per interval over an agent's productive time."""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from insights.staffing.plan import staffing
from insights.staffing.targets import Target
from insights.staffing.workload import agents_for_work

HOUR = timedelta(hours=1)


def test_work_of_an_interval_over_productive_hours() -> None:
    """40 mails of 6 minutes = 4 hours of work in an hour; at 80% occupancy 5 agents."""
    target = Target(aht=360, max_occupancy=0.8)
    assert agents_for_work(np.array([40.0, 0.0, 10.0]), HOUR, target) == [5, 0, 2]


def test_a_response_window_spreads_a_burst_over_the_hours_it_may_wait() -> None:
    """80 mails at 9:00 that may wait four hours: 8 hours of work over four hours."""
    target = Target(aht=360, max_occupancy=1.0)
    burst = np.array([80.0, 0, 0, 0, 0])
    assert agents_for_work(burst, HOUR, target) == [8, 0, 0, 0, 0]
    assert agents_for_work(burst, HOUR, target, window=4 * HOUR) == [2, 2, 2, 2, 0]


def test_the_plan_adds_shrinkage_and_picks_the_model_by_channel() -> None:
    target = Target(aht=180, shrinkage=0.3)
    email = staffing([40.0], HOUR, target, channel="email")
    phone = staffing([200.0], timedelta(minutes=30) * 2, target, channel="phone")
    assert (email[0].on_line, email[0].scheduled, email[0].service_level) == (3, 5, None)
    assert phone[0].service_level is not None and phone[0].service_level >= 0.8
    patient = staffing([200.0], HOUR, Target(aht=180, shrinkage=0.3, patience=300))
    assert patient[0].on_line <= phone[0].on_line
