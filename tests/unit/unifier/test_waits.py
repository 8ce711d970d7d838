"""``conversation.waiting.v1`` ids: a pure function of the wait's start, so one wait has one
start and one end event, whoever ends it and however often a replay builds it again."""

from __future__ import annotations

from datetime import timedelta

from tests.unit.unifier.factory import T0
from unifier.domain.waits import waiting_event


def test_one_wait_has_one_start_and_one_end() -> None:
    start = waiting_event("acme", "t1", T0, by="a1")
    by_agent = waiting_event("acme", "t1", T0, T0 + timedelta(minutes=5), "a2")
    by_customer = waiting_event("acme", "t1", T0, T0 + timedelta(minutes=7))
    assert start == waiting_event("acme", "t1", T0, by="a1")
    assert by_agent.event_id == by_customer.event_id != start.event_id
    assert (start.waiting, start.at, start.reason) == (True, T0, "manual")
    assert (by_customer.waiting, by_customer.since, by_customer.reason, by_customer.by) == (
        False,
        T0,
        "customer_message",
        None,
    )
    later = waiting_event("acme", "t1", T0 + timedelta(seconds=1), by="a1")
    other = waiting_event("acme", "t2", T0, by="a1")
    assert len({start.event_id, later.event_id, other.event_id}) == 3
