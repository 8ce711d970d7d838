"""A conversation's SLA clocks from its history of facts, as of a moment (rules: :mod:`.sla`).

The history is walked fact by fact; before each fact the running clocks pass the thresholds
(warning, due time) that come strictly before it, after the last fact those at or before
``now``; each clock is a :class:`~unifier.domain.sla_meter.Meter` meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from unifier.domain.sla import BusinessTime, CalendarTime, Clock, Fact, Policy, Target
from unifier.domain.sla_meter import Meter

PolicyAt = Callable[[datetime], Policy | None]  # the policy in force when a cycle starts
PAUSES = {"waiting_started": "waiting", "snooze_started": "snoozed"}
RESUMES = {"waiting_ended": "waiting", "snooze_ended": "snoozed"}
LIVE = ("running", "paused")


@dataclass
class _Cycle:
    number: int
    policy: Policy
    time: BusinessTime
    clocks: list[Meter] = field(default_factory=list)
    open: bool = True
    replied: bool = False  # an agent replied since the last customer message
    asked: bool = False  # a customer message started the first-response clock
    next_count: int = 0


class _Walk:
    """The conversation so far: its cycles (the last one open until resolved) and pauses."""

    def __init__(self, policy_at: PolicyAt, business: BusinessTime) -> None:
        self.policy_at = policy_at
        self.business = business
        self.cycles: list[_Cycle] = []
        self.pauses: set[str] = set()
        self.wrote_since_resolve = False

    @property
    def current(self) -> _Cycle | None:
        return self.cycles[-1] if self.cycles and self.cycles[-1].open else None

    def live(self) -> Iterable[Meter]:
        cycle = self.current
        return [] if cycle is None else [c for c in cycle.clocks if c.state in LIVE]

    def advance(self, t: datetime, *, inclusive: bool = False) -> None:
        for clock in self.live():
            clock.pass_thresholds(t, inclusive=inclusive)

    def apply(self, fact: Fact) -> None:
        if fact.kind in PAUSES:
            self.pause(PAUSES[fact.kind], fact.at)
        elif fact.kind in RESUMES:
            self.resume(RESUMES[fact.kind], fact.at)
        else:
            getattr(self, fact.kind)(fact.at)  # customer_message, agent_reply, resolved, reopened

    def pause(self, reason: str, t: datetime) -> None:
        self.pauses.add(reason)
        for clock in self.live():
            clock.pause(t)

    def resume(self, reason: str, t: datetime) -> None:
        self.pauses.discard(reason)
        if not self.pauses:
            for clock in self.live():
                clock.resume(t)

    def customer_message(self, t: datetime) -> None:
        cycle = self.current
        if cycle is None:
            if self.cycles:  # resolved: the reopen (if it comes) starts the next cycle
                self.wrote_since_resolve = True
                return
            cycle = self.open_cycle(t)
        if not cycle.asked:
            cycle.asked = True
            self.start(cycle, "first_response", 0, t)
        elif cycle.replied:
            cycle.replied = False
            cycle.next_count += 1
            self.start(cycle, "next_response", cycle.next_count, t)

    def agent_reply(self, t: datetime) -> None:
        cycle = self.current
        if cycle is None or not cycle.asked:
            return  # before the first customer message, or after the resolve
        cycle.replied = True
        for clock in self.live():
            if clock.target != "resolution":
                clock.end("fulfilled", t)

    def resolved(self, t: datetime) -> None:
        if self.current is None:
            return
        for clock in self.live():
            clock.end("fulfilled" if clock.target == "resolution" else "stopped", t)
        self.cycles[-1].open = False
        self.pauses.clear()
        self.wrote_since_resolve = False

    def reopened(self, t: datetime) -> None:
        if self.current is not None or not self.cycles:
            return
        cycle = self.open_cycle(t)
        if self.wrote_since_resolve:
            cycle.asked = True
            self.start(cycle, "first_response", 0, t)

    def open_cycle(self, t: datetime) -> _Cycle:
        policy = self.policy_at(t)
        if policy is None:
            policy = Policy("none")  # no policy fits: the cycle runs without clocks
        time = self.business if policy.hours == "business" else CalendarTime()
        cycle = _Cycle(len(self.cycles) + 1, policy, time)
        self.cycles.append(cycle)
        self.start(cycle, "resolution", 0, t)
        return cycle

    def start(self, cycle: _Cycle, target: Target, n: int, t: datetime) -> None:
        budget = cycle.policy.target(target)
        if budget is None:
            return
        paused = bool(self.pauses)
        clock = Meter(
            target, n, t, budget, budget * cycle.policy.warn_at, cycle.time, None if paused else t
        )
        clock.pause_start = t if paused else None
        clock.transitions.append(("paused" if paused else "running", t))
        cycle.clocks.append(clock)


def clocks(
    conversation: str,
    history: Iterable[Fact],
    policy: Policy | PolicyAt,
    time: BusinessTime,
    now: datetime,
) -> list[Clock]:
    """Every clock of every cycle as of ``now``, cycle by cycle, in the order they started.
    ``policy`` is one policy, or the policy in force at a moment (a cycle's start); ``time`` is
    what a business-hours policy counts in. Facts after ``now`` are not seen."""
    walk = _Walk(_constant(policy) if isinstance(policy, Policy) else policy, time)
    for fact in sorted(history, key=lambda f: f.at):
        if fact.at > now:
            break
        walk.advance(fact.at)
        walk.apply(fact)
    walk.advance(now, inclusive=True)
    return [
        clock.done(conversation, cycle.number, cycle.policy.name, now)
        for cycle in walk.cycles
        for clock in cycle.clocks
    ]


def _constant(policy: Policy) -> PolicyAt:
    def policy_at(_t: datetime) -> Policy:
        return policy

    return policy_at
