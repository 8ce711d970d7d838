"""SLA clocks from a conversation's facts: a table of histories and the clocks they give, and
the warning/breach/fulfilled events two evaluations imply (each once, with the same id however
often the clocks are recomputed).

Times are Europe/Berlin wall clock: "09:30" on Monday 2026-12-07, "12-11 16:30" another day.
A clock reads "<cycle> <target>[n] <policy> <state>@<when> due <due>[ warned <when>][ paused
<spans>]" ("due -" while paused or when it ended paused).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest

from tests.unit.calendars.samples import BERLIN, office
from unifier.domain.sla import (
    BadPolicy,
    BusinessTime,
    CalendarTime,
    Clock,
    Fact,
    FactKind,
    Match,
    Policy,
    Subject,
    select,
)
from unifier.domain.sla_clocks import PolicyAt, clocks
from unifier.domain.sla_events import (
    Key,
    SlaEvent,
    SlaKind,
    due_events,
    next_threshold,
    sla_event_id,
)

BASE = date(2026, 12, 7)  # a Monday
H, M = timedelta(hours=1), timedelta(minutes=1)
STANDARD = Policy("standard", 1 * H, 30 * M, 8 * H, hours="calendar")
VIP = Policy("vip", 2 * H, None, 4 * H, hours="calendar")
BUSINESS = Policy("business", 1 * H, 30 * M, 8 * H, hours="business")
HALF = Policy("half", 1 * H, None, None, hours="calendar", warn_at=0.5)
ONLY_RESOLUTION = Policy("res", None, None, 8 * H, hours="calendar")
OFFICE = office()  # Monday to Friday 09:00-17:00, Berlin
SHORT: dict[str, FactKind] = {
    "msg": "customer_message",
    "reply": "agent_reply",
    "wait": "waiting_started",
    "unwait": "waiting_ended",
    "snooze": "snooze_started",
    "unsnooze": "snooze_ended",
    "resolve": "resolved",
    "reopen": "reopened",
}


def at(text: str) -> datetime:
    day, _, clock = text.rpartition(" ")
    on = date.fromisoformat(f"{BASE.year}-{day}") if day else BASE
    hour, minute = map(int, clock.split(":"))
    return datetime(on.year, on.month, on.day, hour, minute, tzinfo=BERLIN)


def shown(t: datetime | None) -> str:
    if t is None:
        return "-"
    local = t.astimezone(BERLIN)
    return local.strftime("%H:%M") if local.date() == BASE else local.strftime("%m-%d %H:%M")


def history(*steps: str) -> list[Fact]:
    """ "msg 09:00", "reply 12-08 10:00", ..."""
    facts = []
    for step in steps:
        kind, _, when = step.partition(" ")
        facts.append(Fact(SHORT[kind], at(when)))
    return facts


def line(clock: Clock) -> str:
    state, when = clock.transitions[-1]
    n = str(clock.n) if clock.n else ""
    text = f"{clock.cycle} {clock.target}{n} {clock.policy} {state}@{shown(when)}"
    text += f" due {shown(clock.due_at)}"
    if clock.warned_at is not None:
        text += f" warned {shown(clock.warned_at)}"
    if clock.paused:
        text += " paused " + ",".join(f"{shown(a)}-{shown(b)}" for a, b in clock.paused)
    return text


def switch_at(change: str, before: Policy, after: Policy) -> PolicyAt:
    def policy_at(t: datetime) -> Policy:
        return before if t < at(change) else after

    return policy_at


def nothing(_t: datetime) -> Policy | None:
    return None


@dataclass(frozen=True)
class Case:
    name: str
    steps: tuple[str, ...]
    now: str
    expected: tuple[str, ...]
    policy: Policy | Callable[[datetime], Policy | None] = STANDARD


CASES = [
    Case(
        "first response in time",
        ("msg 09:00", "reply 09:30"),
        "10:00",
        (
            "1 resolution standard running@09:00 due 17:00",
            "1 first_response standard fulfilled@09:30 due 10:00",
        ),
    ),
    Case(
        "warning, then the reply in time",
        ("msg 09:00", "reply 09:50"),
        "10:30",
        (
            "1 resolution standard running@09:00 due 17:00",
            "1 first_response standard fulfilled@09:50 due 10:00 warned 09:48",
        ),
    ),
    Case(
        "no reply: warning then breach at the due time",
        ("msg 09:00",),
        "10:30",
        (
            "1 resolution standard running@09:00 due 17:00",
            "1 first_response standard breached@10:00 due 10:00 warned 09:48",
        ),
    ),
    Case(
        "a reply exactly at the due time is in time",
        ("msg 09:00", "reply 10:00"),
        "11:00",
        (
            "1 resolution standard running@09:00 due 17:00",
            "1 first_response standard fulfilled@10:00 due 10:00 warned 09:48",
        ),
    ),
    Case(
        "now at the due time with no reply: breached",
        ("msg 09:00",),
        "10:00",
        (
            "1 resolution standard running@09:00 due 17:00",
            "1 first_response standard breached@10:00 due 10:00 warned 09:48",
        ),
    ),
    Case(
        "before the warning: running, nothing happened yet",
        ("msg 09:00",),
        "09:47",
        (
            "1 resolution standard running@09:00 due 17:00",
            "1 first_response standard running@09:00 due 10:00",
        ),
    ),
    Case(
        "a late reply neither fulfils a breached clock nor changes it",
        ("msg 09:00", "reply 10:10"),
        "12:00",
        (
            "1 resolution standard running@09:00 due 17:00",
            "1 first_response standard breached@10:00 due 10:00 warned 09:48",
        ),
    ),
    Case(
        "zammad#3140: an answered conversation does not escalate",
        ("msg 09:00", "reply 09:10"),
        "12:00",
        (
            "1 resolution standard running@09:00 due 17:00",
            "1 first_response standard fulfilled@09:10 due 10:00",
        ),
    ),
    Case(
        "zammad#5177: later replies do not override the first response",
        ("msg 09:00", "reply 09:10", "reply 09:40", "msg 09:50", "reply 10:05"),
        "11:00",
        (
            "1 resolution standard running@09:00 due 17:00",
            "1 first_response standard fulfilled@09:10 due 10:00",
            "1 next_response1 standard fulfilled@10:05 due 10:20",
        ),
    ),
    Case(
        "next-response cycles: each customer message after a reply starts one",
        ("msg 09:00", "reply 09:10", "msg 09:20", "msg 09:25", "reply 09:40", "msg 10:00"),
        "10:40",
        (
            "1 resolution standard running@09:00 due 17:00",
            "1 first_response standard fulfilled@09:10 due 10:00",
            "1 next_response1 standard fulfilled@09:40 due 09:50",
            "1 next_response2 standard breached@10:30 due 10:30 warned 10:24",
        ),
    ),
    Case(
        "customer messages before the first reply start no next-response clock",
        ("msg 09:00", "msg 09:10", "msg 09:20", "reply 09:30"),
        "11:00",
        (
            "1 resolution standard running@09:00 due 17:00",
            "1 first_response standard fulfilled@09:30 due 10:00",
        ),
    ),
    Case(
        "an agent's message before the customer's is no first response",
        ("reply 08:00", "msg 09:00"),
        "09:30",
        (
            "1 resolution standard running@09:00 due 17:00",
            "1 first_response standard running@09:00 due 10:00",
        ),
    ),
    Case(
        "waiting on the customer pauses and moves the due time",
        ("msg 09:00", "wait 09:20", "unwait 09:50"),
        "10:00",
        (
            "1 resolution standard running@09:50 due 17:30 paused 09:20-09:50",
            "1 first_response standard running@09:50 due 10:30 paused 09:20-09:50",
        ),
    ),
    Case(
        "a due time passing during a pause breaches nothing",
        ("msg 09:00", "wait 09:30"),
        "12:00",
        (
            "1 resolution standard paused@09:30 due -",
            "1 first_response standard paused@09:30 due -",
        ),
    ),
    Case(
        "after the pause the rest of the target runs out",
        ("msg 09:00", "wait 09:30", "unwait 11:00"),
        "12:00",
        (
            "1 resolution standard running@11:00 due 18:30 paused 09:30-11:00",
            "1 first_response standard breached@11:30 due 11:30 warned 11:18 paused 09:30-11:00",
        ),
    ),
    Case(
        "snoozing pauses too",
        ("msg 09:00", "snooze 09:10", "unsnooze 10:10", "reply 10:40"),
        "11:00",
        (
            "1 resolution standard running@10:10 due 18:00 paused 09:10-10:10",
            "1 first_response standard fulfilled@10:40 due 11:00 paused 09:10-10:10",
        ),
    ),
    Case(
        "waiting and snoozed overlap: the clocks resume when both have ended",
        ("msg 09:00", "wait 09:10", "snooze 09:20", "unwait 09:30", "unsnooze 10:00"),
        "10:30",
        (
            "1 resolution standard running@10:00 due 17:50 paused 09:10-10:00",
            "1 first_response standard running@10:00 due 10:50 paused 09:10-10:00",
        ),
    ),
    Case(
        "a reply while waiting fulfils the clock",
        ("msg 09:00", "wait 09:10", "reply 09:20"),
        "12:00",
        (
            "1 resolution standard paused@09:10 due -",
            "1 first_response standard fulfilled@09:20 due - paused 09:10-09:20",
        ),
    ),
    Case(
        "a clock started while snoozed starts paused",
        ("msg 09:00", "reply 09:05", "snooze 09:10", "msg 09:20", "unsnooze 10:00"),
        "10:20",
        (
            "1 resolution standard running@10:00 due 17:50 paused 09:10-10:00",
            "1 first_response standard fulfilled@09:05 due 10:00",
            "1 next_response1 standard running@10:00 due 10:30 paused 09:20-10:00",
        ),
    ),
    Case(
        "resolve fulfils the resolution and stops the unanswered clock",
        ("msg 09:00", "resolve 09:30"),
        "12:00",
        (
            "1 resolution standard fulfilled@09:30 due 17:00",
            "1 first_response standard stopped@09:30 due 10:00",
        ),
    ),
    Case(
        "chatwoot#10178: a reply after the resolve does not count",
        ("msg 09:00", "reply 09:10", "msg 09:20", "resolve 09:30", "reply 09:40"),
        "12:00",
        (
            "1 resolution standard fulfilled@09:30 due 17:00",
            "1 first_response standard fulfilled@09:10 due 10:00",
            "1 next_response1 standard stopped@09:30 due 09:50",
        ),
    ),
    Case(
        "a customer message after the resolve starts nothing without a reopen",
        ("msg 09:00", "reply 09:05", "resolve 09:10", "msg 10:00"),
        "12:00",
        (
            "1 resolution standard fulfilled@09:10 due 17:00",
            "1 first_response standard fulfilled@09:05 due 10:00",
        ),
    ),
    Case(
        "a reopen after the customer wrote: new cycle, first response from the reopen",
        ("msg 09:00", "reply 09:05", "resolve 09:10", "msg 10:00", "reopen 10:00"),
        "10:30",
        (
            "1 resolution standard fulfilled@09:10 due 17:00",
            "1 first_response standard fulfilled@09:05 due 10:00",
            "2 resolution standard running@10:00 due 18:00",
            "2 first_response standard running@10:00 due 11:00",
        ),
    ),
    Case(
        "an agent's reopen: the first response waits for the customer",
        ("msg 09:00", "reply 09:05", "resolve 09:10", "reopen 10:00", "msg 10:20"),
        "10:30",
        (
            "1 resolution standard fulfilled@09:10 due 17:00",
            "1 first_response standard fulfilled@09:05 due 10:00",
            "2 resolution standard running@10:00 due 18:00",
            "2 first_response standard running@10:20 due 11:20",
        ),
    ),
    Case(
        "a reopen runs under the policy in force then",
        ("msg 09:00", "reply 09:05", "resolve 09:10", "msg 11:00", "reopen 11:00"),
        "11:30",
        (
            "1 resolution standard fulfilled@09:10 due 17:00",
            "1 first_response standard fulfilled@09:05 due 10:00",
            "2 resolution vip running@11:00 due 15:00",
            "2 first_response vip running@11:00 due 13:00",
        ),
        switch_at("10:00", STANDARD, VIP),
    ),
    Case(
        "resolve ends the wait; the reopened cycle runs",
        ("msg 09:00", "wait 09:05", "resolve 09:10", "msg 10:00", "reopen 10:00"),
        "10:30",
        (
            "1 resolution standard fulfilled@09:10 due - paused 09:05-09:10",
            "1 first_response standard stopped@09:10 due - paused 09:05-09:10",
            "2 resolution standard running@10:00 due 18:00",
            "2 first_response standard running@10:00 due 11:00",
        ),
    ),
    Case(
        "a reopen of an open conversation and a second resolve are ignored",
        ("msg 09:00", "reopen 09:05", "resolve 09:10", "resolve 09:20"),
        "12:00",
        (
            "1 resolution standard fulfilled@09:10 due 17:00",
            "1 first_response standard stopped@09:10 due 10:00",
        ),
    ),
    Case(
        "the warning at the policy's share (0.5)",
        ("msg 09:00",),
        "09:40",
        ("1 first_response half running@09:00 due 10:00 warned 09:30",),
        HALF,
    ),
    Case(
        "a target the policy does not set starts no clock",
        ("msg 09:00", "reply 09:10", "msg 09:20"),
        "12:00",
        ("1 resolution res running@09:00 due 17:00",),
        ONLY_RESOLUTION,
    ),
    Case("no policy fits: no clocks", ("msg 09:00",), "12:00", (), nothing),
    Case(
        "facts after now are not seen",
        ("msg 09:00", "reply 11:00"),
        "10:30",
        (
            "1 resolution standard running@09:00 due 17:00",
            "1 first_response standard breached@10:00 due 10:00 warned 09:48",
        ),
    ),
    Case(
        "the resolution target breaches too",
        ("msg 09:00", "reply 09:10"),
        "17:30",
        (
            "1 resolution standard breached@17:00 due 17:00 warned 15:24",
            "1 first_response standard fulfilled@09:10 due 10:00",
        ),
    ),
    Case(
        "business hours, Chatwoot's case: Fri 16:30 + 1 h is Mon 09:30",
        ("msg 12-11 16:30",),
        "12-11 23:00",
        (
            "1 resolution business running@12-11 16:30 due 12-14 16:30",
            "1 first_response business running@12-11 16:30 due 12-14 09:30",
        ),
        BUSINESS,
    ),
    Case(
        "business hours: warning and breach the next working morning",
        ("msg 12-11 16:30",),
        "12-14 09:40",
        (
            "1 resolution business running@12-11 16:30 due 12-14 16:30",
            "1 first_response business breached@12-14 09:30 due 12-14 09:30 warned 12-14 09:18",
        ),
        BUSINESS,
    ),
    Case(
        "business hours: a pause moves the due time by business time only",
        ("msg 16:00", "wait 16:30", "unwait 12-08 10:00"),
        "12-08 10:10",
        (
            "1 resolution business running@12-08 10:00 due 12-09 09:30 paused 16:30-12-08 10:00",
            "1 first_response business running@12-08 10:00 due 12-08 10:30"
            " paused 16:30-12-08 10:00",
        ),
        BUSINESS,
    ),
    Case(
        "business hours: a pause while closed costs nothing",
        ("msg 16:50", "snooze 18:00", "unsnooze 12-08 08:00"),
        "12-08 08:30",
        (
            "1 resolution business running@12-08 08:00 due 12-08 16:50 paused 18:00-12-08 08:00",
            "1 first_response business running@12-08 08:00 due 12-08 09:50"
            " paused 18:00-12-08 08:00",
        ),
        BUSINESS,
    ),
    Case(
        "calendar hours on the same history count the night",
        ("msg 16:50",),
        "12-08 08:30",
        (
            "1 resolution standard breached@12-08 00:50 due 12-08 00:50 warned 23:14",
            "1 first_response standard breached@17:50 due 17:50 warned 17:38",
        ),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_clocks(case: Case) -> None:
    got = clocks("conv-1", history(*case.steps), case.policy, OFFICE, at(case.now))
    assert [line(c) for c in got] == list(case.expected)


def test_a_calendar_and_calendar_hours_are_business_time() -> None:
    times: list[BusinessTime] = [OFFICE, CalendarTime()]
    start = at("12-11 16:30")
    assert [t.add(start, H) for t in times] == [at("12-14 09:30"), at("12-11 17:30")]
    assert [t.between(start, at("12-14 09:30")) for t in times] == [H, timedelta(hours=65)]


MATCHED = [
    Policy(
        "vip-email",
        1 * H,
        match=Match(priorities=frozenset({"urgent"}), channel_kinds=frozenset({"email"})),
    ),
    Policy("billing", 2 * H, match=Match(labels=frozenset({"billing", "refund"}))),
    Policy("fr-team", 3 * H, match=Match(teams=frozenset({"fr"}))),
    Policy("default", 4 * H),
]


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        (Subject("urgent", "email", frozenset({"billing"}), "fr"), "vip-email"),
        (Subject("urgent", "whatsapp", frozenset({"refund"}), "fr"), "billing"),
        (Subject("normal", "email", frozenset({"other"}), "fr"), "fr-team"),
        (Subject(None, None, frozenset(), None), "default"),
        (Subject("urgent", None, frozenset(), "de"), "default"),
    ],
)
def test_the_first_matching_policy_wins(subject: Subject, expected: str) -> None:
    chosen = select(MATCHED, subject)
    assert chosen is not None and chosen.name == expected


def test_no_policy_matches() -> None:
    assert select(MATCHED[:3], Subject("low", "sms", frozenset(), None)) is None


@pytest.mark.parametrize(
    "make",
    [
        lambda: Policy("p", H, warn_at=0),
        lambda: Policy("p", H, warn_at=1.5),
        lambda: Policy("p", timedelta(0)),
        lambda: Policy("p", None, -H),
    ],
)
def test_bad_policies_are_refused(make: Callable[[], Policy]) -> None:
    with pytest.raises(BadPolicy):
        make()


# Events: a conversation through warning, breach, fulfilment, a reopen and a next-response clock.
LIFE = history(
    "msg 09:00",
    "reply 09:50",  # first response: warned 09:48, fulfilled 09:50
    "msg 10:00",  # next response 1, due 10:30, warned 10:24
    "wait 10:10",
    "unwait 10:40",  # 10 min used: due 11:00, warned 10:54
    "resolve 11:30",  # next 1 breached 11:00 before; resolution fulfilled
    "msg 12:00",
    "reopen 12:00",  # cycle 2: first response due 13:00
)
EXPECTED_LIFE = [
    ("sla.warning", 1, "first_response", 0, "09:48"),
    ("sla.fulfilled", 1, "first_response", 0, "09:50"),
    ("sla.warning", 1, "next_response", 1, "10:54"),
    ("sla.breached", 1, "next_response", 1, "11:00"),
    ("sla.fulfilled", 1, "resolution", 0, "11:30"),
    ("sla.warning", 2, "first_response", 0, "12:48"),
    ("sla.breached", 2, "first_response", 0, "13:00"),
]


def evaluate(now: datetime) -> list[Clock]:
    return clocks("conv-1", LIFE, STANDARD, OFFICE, now)


def summary(events: list[SlaEvent]) -> list[tuple[str, int, str, int, str]]:
    return [(e.kind, e.cycle, e.target, e.n, shown(e.at)) for e in events]


def test_all_events_at_once() -> None:
    assert summary(due_events([], evaluate(at("14:00")))) == EXPECTED_LIFE


def test_minute_by_minute_each_event_once_with_the_ids_of_one_evaluation() -> None:
    emitted: list[SlaEvent] = []
    before: list[Clock] = []
    now = at("08:59")
    while now <= at("14:00"):
        after = evaluate(now)
        emitted += due_events(before, after)
        assert due_events(after, evaluate(now)) == []  # the same moment again: nothing new
        before, now = after, now + M
    assert summary(emitted) == EXPECTED_LIFE
    assert [e.event_id for e in emitted] == [
        e.event_id for e in due_events([], evaluate(at("14:00")))
    ]


def test_a_restart_that_forgot_its_last_evaluation_emits_the_same_ids() -> None:
    """A restart without state evaluates from nothing: the repeats carry the ids already sent,
    so the idempotent write keeps one of each."""
    first = {e.event_id for e in due_events([], evaluate(at("10:30")))}
    again = {e.event_id for e in due_events([], evaluate(at("10:30")))}
    later = {e.event_id for e in due_events([], evaluate(at("14:00")))}
    assert first == again and len(first) == 2 and first < later


def test_warning_and_breach_in_one_evaluation_come_in_order() -> None:
    got = due_events(evaluate(at("10:20")), evaluate(at("11:10")))
    assert [(e.kind, e.target) for e in got] == [
        ("sla.warning", "next_response"),
        ("sla.breached", "next_response"),
    ]


def test_ids_differ_by_conversation_cycle_target_number_and_kind() -> None:
    keys: list[tuple[Key, SlaKind]] = [
        (("a", 1, "first_response", 0), "sla.warning"),
        (("b", 1, "first_response", 0), "sla.warning"),
        (("a", 2, "first_response", 0), "sla.warning"),
        (("a", 1, "resolution", 0), "sla.warning"),
        (("a", 1, "next_response", 1), "sla.warning"),
        (("a", 1, "next_response", 2), "sla.warning"),
        (("a", 1, "first_response", 0), "sla.breached"),
    ]
    ids = [sla_event_id(key, kind) for key, kind in keys]
    assert len(set(ids)) == len(ids)
    assert sla_event_id(("a", 1, "first_response", 0), "sla.warning") == ids[0]


def test_an_event_is_not_taken_back_when_a_later_evaluation_no_longer_implies_it() -> None:
    warned = clocks("c", history("msg 09:00"), STANDARD, OFFICE, at("09:50"))
    # the history as stored later shows a reply before the warning (a late-arriving fact)
    answered = clocks("c", history("msg 09:00", "reply 09:40"), STANDARD, OFFICE, at("09:50"))
    assert summary(due_events(warned, answered)) == [
        ("sla.fulfilled", 1, "first_response", 0, "09:40")
    ]


def test_a_breach_out_is_the_outcome_a_late_reply_does_not_replace() -> None:
    breached = clocks("c", history("msg 09:00"), STANDARD, OFFICE, at("10:00"))
    # the reply stored later carries the due time itself: in time, but the breach is out
    replied = clocks("c", history("msg 09:00", "reply 10:00"), STANDARD, OFFICE, at("10:01"))
    assert line(replied[1]) == "1 first_response standard fulfilled@10:00 due 10:00 warned 09:48"
    assert due_events(breached, replied) == []


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("08:00", None),  # nothing open yet
        ("09:10", "09:48"),  # the first response's warning
        ("09:49", "10:00"),  # then its due time
        ("09:55", "15:24"),  # answered at 09:50: the resolution's warning
        ("10:05", "10:24"),  # the next response's warning
        ("10:20", None),  # waiting on the customer: everything paused
        ("10:45", "10:54"),
        ("11:05", "15:54"),  # the resolution's warning: 6 h 24 min from 09:00, 30 min paused
        ("11:40", None),  # resolved
        ("12:30", "12:48"),  # the reopened cycle
    ],
)
def test_the_next_threshold_is_when_to_evaluate_again(now: str, expected: str | None) -> None:
    got = next_threshold(evaluate(at(now)))
    assert (None if got is None else shown(got)) == expected
