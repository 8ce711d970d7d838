"""Erlang C and Erlang A cross-checked against published worked examples, to the agent."""

from __future__ import annotations

import pytest

from insights.staffing import erlang_a, erlang_c
from insights.staffing.targets import Target, scheduled

# 100 calls in 30 minutes, AHT 180 s, 80% answered in 20 s, occupancy at most 85%, 30% shrinkage
EXAMPLE = Target(aht=180, service_level=0.8, answer_time=20, max_occupancy=0.85, shrinkage=0.3)
RATE = 100 / 1800  # calls a second
LOAD = RATE * EXAMPLE.aht  # 10 Erlangs


def test_erlang_c_matches_the_published_worked_example_to_the_agent() -> None:
    """Call Centre Helper, "Erlang C Formula - Made Simple With an Easy Worked Example"
    (callcentrehelper.com/erlang-c-formula-example-121281.htm): 100 calls per half hour, AHT
    180 s, 80/20, 85% maximum occupancy, 30% shrinkage -> traffic 10 Erlangs, 14 agents on
    line (occupancy 71.4%), 20 agents with shrinkage. The figures at 14 agents to more digits
    as the CRAN package ErlangC 0.1.0's README gives them for the same example: probability of
    waiting 0.1741319, service level 0.88835, average speed of answer 7.835937 s; and 0.6821182
    for the probability of waiting at 11 agents (its search's first step)."""
    q = erlang_c.agents_for(LOAD, EXAMPLE)
    assert (q.agents, scheduled(q.agents, EXAMPLE.shrinkage)) == (14, 20)
    assert q.load == pytest.approx(10.0)
    assert q.occupancy == pytest.approx(10 / 14)
    assert q.wait_probability == pytest.approx(0.1741319, abs=1e-7)
    assert q.service_level == pytest.approx(0.88835, abs=1e-5)
    assert q.asa == pytest.approx(7.835937, abs=1e-6)
    assert erlang_c.wait_probability(11, LOAD) == pytest.approx(0.6821182, abs=1e-7)


def test_erlang_c_fewer_agents_miss_the_target_and_an_unstable_queue_always_waits() -> None:
    assert erlang_c.queue(13, LOAD, EXAMPLE).service_level < 0.8
    assert erlang_c.wait_probability(10, LOAD) == 1.0
    assert erlang_c.queue(9, LOAD, EXAMPLE).service_level == 0.0
    assert erlang_c.agents_for(0.0, EXAMPLE).agents == 0


def test_the_occupancy_cap_adds_agents_where_the_service_level_does_not() -> None:
    """2,000 calls an hour of 180 s (100 Erlangs) meet 80/20 with 107 agents, 93% busy; at
    most 85% occupancy takes 118 (100/118 = 84.7%). 20 Erlangs need 24 either way."""
    loose = Target(aht=180, max_occupancy=1.0)
    capped = Target(aht=180, max_occupancy=0.85)
    assert erlang_c.agents_for(100.0, loose).agents == 107
    assert erlang_c.agents_for(100.0, capped).agents == 118
    assert erlang_c.agents_for(20.0, loose).agents == erlang_c.agents_for(20.0, capped).agents == 24


def test_erlang_a_matches_pyworkforce_s_published_example_to_the_agent() -> None:
    """pyworkforce's guide, "Erlang A (abandonment)" (pyworkforce.rodrigo-arenas.com,
    development/guide/erlanga): ErlangA(transactions=100, aht=3, asa=20/60, interval=30,
    patience=5, shrinkage=0.3).required_positions(service_level=0.8, max_occupancy=0.85,
    max_abandonment=0.05) -> raw_positions 13, positions 19, service_level 0.858...,
    occupancy 0.750..., abandonment_probability 0.025..., waiting_probability 0.226...,
    average_speed_of_answer 0.125... minutes. pyworkforce computes the service level by
    uniformization of the waiting caller's chain; ours is the closed form (incomplete beta),
    so the agreement checks the method as well as the figures."""
    target = Target(aht=180, answer_time=20, max_occupancy=0.85, shrinkage=0.3, patience=300)
    q = erlang_a.agents_for(RATE, target, max_abandon=0.05)
    assert (q.agents, scheduled(q.agents, target.shrinkage)) == (13, 19)
    assert q.service_level == pytest.approx(0.858, abs=5e-4)
    assert q.occupancy == pytest.approx(0.750, abs=5e-4)
    assert q.abandon_probability == pytest.approx(0.025, abs=5e-4)
    assert q.wait_probability == pytest.approx(0.226, abs=5e-4)
    assert q.asa / 60 == pytest.approx(0.125, abs=5e-4)


@pytest.mark.parametrize("agents", [11, 12, 14, 16])
def test_erlang_a_becomes_erlang_c_as_callers_grow_patient(agents: int) -> None:
    patient = Target(aht=180, answer_time=20, patience=1e8)
    qa = erlang_a.patient_queue(agents, RATE, patient)
    pw = erlang_c.wait_probability(agents, LOAD)
    assert qa.wait_probability == pytest.approx(pw, abs=1e-5)
    sl = erlang_c.queue(agents, LOAD, patient).service_level
    assert qa.service_level == pytest.approx(sl, abs=1e-5)
    assert qa.abandon_probability == pytest.approx(0.0, abs=1e-4)


def test_erlang_a_stays_stable_past_full_load_and_needs_fewer_agents_than_erlang_c() -> None:
    """Impatient callers keep an overloaded queue finite: 12 Erlangs on 10 agents still has
    an answer (most of the excess hangs up), where Erlang C's queue grows without end."""
    target = Target(aht=180, answer_time=20, patience=120)
    over = erlang_a.patient_queue(10, 12 / 180, target)
    assert 0.1 < over.abandon_probability < 0.5
    assert over.occupancy < 1.0
    assert erlang_a.agents_for(RATE, target).agents <= erlang_c.agents_for(LOAD, EXAMPLE).agents


def test_targets_out_of_range_are_refused() -> None:
    for bad in (
        {"aht": 0},
        {"aht": 10, "service_level": 1.0},
        {"aht": 10, "shrinkage": 1.0},
        {"aht": 10, "max_occupancy": 0},
        {"aht": 10, "patience": 0},
    ):
        with pytest.raises(ValueError):
            Target(**bad)
