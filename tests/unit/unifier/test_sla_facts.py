"""SLA facts from stored rows (``unifier.domain.sla_facts``): messages by role and direction,
closes and reopens, and the pauses (waiting, snooze) with what ends each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from unifier.domain.sla import Fact
from unifier.domain.sla_facts import Done, Said, facts

T = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T + timedelta(minutes=minutes)


def kinds(found: list[Fact]) -> list[tuple[str, int]]:
    return [(f.kind, int((f.at - T).total_seconds() // 60)) for f in found]


def test_messages_by_role_and_direction() -> None:
    said = [
        Said(at(0), "customer", "inbound"),
        Said(at(1), "agent", "inbound"),  # an agent's message the channel echoed
        Said(at(2), "customer", "outbound"),  # an agent's reply (the role is the recipient's)
        Said(at(3), "customer", "outbound", "failed"),  # never reached the customer
        Said(at(4), "bot", "inbound"),
    ]
    assert kinds(facts(said, [])) == [
        ("customer_message", 0),
        ("agent_reply", 1),
        ("agent_reply", 2),
    ]


def test_close_and_both_reopens() -> None:
    done = [
        Done(at(5), "closed", {}),
        Done(at(6), "reopened_by_message", {}),
        Done(at(8), "closed", {}),
        Done(at(9), "reopened", {}),
        Done(at(9), "labels", {}),
    ]
    said = [Said(at(6), "customer", "inbound")]
    assert kinds(facts(said, done)) == [
        ("resolved", 5),
        ("customer_message", 6),  # before the reopen it caused
        ("reopened", 6),
        ("resolved", 8),
        ("reopened", 9),
    ]


def test_a_wait_ends_at_the_customers_next_message_or_its_end_or_a_close() -> None:
    said = [Said(at(0), "customer", "inbound"), Said(at(10), "customer", "inbound")]
    waits = [
        Done(at(2), "waiting", {}),
        Done(at(12), "waiting", {}),
        Done(at(14), "waiting_ended", {}),
    ]
    assert kinds(facts(said, waits)) == [
        ("customer_message", 0),
        ("waiting_started", 2),
        ("waiting_ended", 10),
        ("customer_message", 10),
        ("waiting_started", 12),
        ("waiting_ended", 14),
    ]
    open_wait = facts([], [Done(at(3), "waiting", {}), Done(at(7), "closed", {})])
    assert kinds(open_wait) == [("waiting_started", 3), ("waiting_ended", 7), ("resolved", 7)]


def test_a_snooze_ends_at_its_time_a_wake_or_a_message_and_a_lasting_one_has_no_end() -> None:
    until = at(30).isoformat()
    found = facts(
        [Said(at(20), "customer", "inbound")],
        [
            Done(at(1), "snoozed", {"until": until}),  # ends at 30
            Done(at(40), "snoozed", {"until": at(90).isoformat()}),
            Done(at(45), "unsnoozed", {}),  # early
            Done(at(50), "snoozed", {"until": at(500).isoformat()}),
        ],
    )
    assert kinds(found) == [
        ("snooze_started", 1),
        ("snooze_ended", 20),  # the customer wrote first
        ("customer_message", 20),
        ("snooze_started", 40),
        ("snooze_ended", 45),
        ("snooze_started", 50),
        ("snooze_ended", 500),  # in the future: the clocks see it only once it has come
    ]
    lasting = facts([], [Done(at(1), "waiting", {})])
    assert kinds(lasting) == [("waiting_started", 1)]
