"""One conversation's recomputed SLA (:class:`ThreadSla`) and what it stores: clock rows, the
thread's columns (earliest running due time, the inbox badge, the scheduler's next look),
cycle rows, and the unified events for the new :class:`~unifier.domain.sla_events.SlaEvent`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hotline import unified as un
from unifier.domain.sla import Clock, Fact, Policy
from unifier.domain.sla_events import SlaEvent
from unifier.service.sla_specs import seconds
from unifier.store.sla_rows import Head, Key, Stored

KINDS: dict[str, type[un.SlaWarning | un.SlaBreached | un.SlaFulfilled]] = {
    "sla.warning": un.SlaWarning,
    "sla.breached": un.SlaBreached,
    "sla.fulfilled": un.SlaFulfilled,
}


@dataclass
class ThreadSla:
    tenant: str
    head: Head
    clocks: list[Clock]
    stored: dict[Key, Stored]
    events: list[SlaEvent]
    policies: dict[int, tuple[Policy | None, str]]  # per cycle: policy and its spec JSON
    wake: datetime | None  # the next threshold or future fact: the scheduler's next look
    context: dict[str, Any]
    history: list[Fact]

    @property
    def current(self) -> list[Clock]:
        """The clocks of the latest cycle while the conversation is open."""
        if not self.clocks or not self.head.open:
            return []
        last = max(c.cycle for c in self.clocks)
        return [c for c in self.clocks if c.cycle == last]

    def owed(self, c: Clock) -> bool:
        """A breached clock still owed: no reply since it started (a response target), or
        not resolved (the resolution target: the cycle is open)."""
        if c.state != "breached":
            return False
        replies = (f.at for f in self.history if f.kind == "agent_reply")
        return c.target == "resolution" or not any(t > c.started_at for t in replies)

    def due_at(self) -> datetime | None:
        """The earliest due time of a running or still owed clock: the inbox sorts by it, so
        an overdue conversation stays at the top until it is answered."""
        live = (c for c in self.current if c.state == "running" or self.owed(c))
        return min((c.due_at for c in live if c.due_at), default=None)

    def status(self) -> str | None:
        return status_of([c for c in self.current if c.state != "breached" or self.owed(c)])

    def thread_values(self) -> dict[str, Any]:
        return {"sla_due_at": self.due_at(), "sla_status": self.status(), "sla_next_at": self.wake}

    def column_row(self) -> dict[str, Any]:
        """:meth:`thread_values` as a row of ``sla_rows.set_sla_columns``."""
        v = self.thread_values()
        return {
            "b_tenant": self.tenant,
            "b_tid": self.head.thread_id,
            "b_due": v["sla_due_at"],
            "b_status": v["sla_status"],
            "b_next": v["sla_next_at"],
        }

    def cycle_rows(self) -> list[dict[str, Any]]:
        starts = {c.cycle: c.started_at for c in self.clocks if c.target == "resolution"}
        return [
            {
                "tenant": self.tenant,
                "thread_id": self.head.thread_id,
                "cycle": n,
                "policy": policy.name if policy else "",
                "spec": spec,
                "started_at": starts.get(n) or min(c.started_at for c in self.clocks),
            }
            for n, (policy, spec) in self.policies.items()
            if self.clocks
        ]

    def emitted(self, key: Key) -> str:
        old = self.stored[key].emitted if key in self.stored else frozenset()
        new = {e.kind.removeprefix("sla.") for e in self.events if (e.cycle, e.target, e.n) == key}
        return ",".join(sorted(old | new))

    def clock_rows(self, now: datetime) -> list[dict[str, Any]]:
        return [
            {
                "tenant": self.tenant,
                "thread_id": self.head.thread_id,
                "cycle": c.cycle,
                "target": c.target,
                "n": c.n,
                "policy": c.policy,
                "state": c.state,
                "started_at": c.started_at,
                "due_at": c.due_at,
                "warn_at": c.warn_at,
                "warned_at": c.warned_at,
                "ended_at": None if c.state in ("running", "paused") else c.transitions[-1][1],
                "emitted": self.emitted((c.cycle, c.target, c.n)),
                "updated_at": now,
            }
            for c in self.clocks
        ]

    def describe(self) -> dict[str, Any]:
        """For the API: the badge, the earliest due time and every clock."""

        def iso(t: datetime | None) -> str | None:
            return None if t is None else t.isoformat()

        clocks = [
            {
                "cycle": c.cycle,
                "target": c.target,
                "n": c.n,
                "policy": c.policy,
                "state": c.state,
                "started_at": iso(c.started_at),
                "due_at": iso(c.due_at),
                "warn_at": iso(c.warn_at),
                "remaining_seconds": int(c.remaining.total_seconds()),
            }
            for c in self.clocks
        ]
        waiting = iso(self.head.waiting_since)
        return {
            "status": self.status(),
            "due_at": iso(self.due_at()),
            "waiting_since": waiting,
            "clocks": clocks,
        }


def status_of(current: list[Clock]) -> str | None:
    """The badge: breached (a clock of this cycle breached and is still owed), warning (a
    running clock passed its warning), running, paused; None without clocks."""
    states = {c.state for c in current}
    if "breached" in states:
        return "breached"
    if any(c.state == "running" and c.warned_at for c in current):
        return "warning"
    for state in ("running", "paused"):
        if state in states:
            return state
    return None


def unified_event(p: ThreadSla, e: SlaEvent) -> un.UnifiedEvent:
    clock = next(c for c in p.clocks if (c.cycle, c.target, c.n) == (e.cycle, e.target, e.n))
    policy = p.policies.get(e.cycle, (None, ""))[0]
    return KINDS[e.kind](
        event_id=e.event_id,
        tenant=p.tenant,
        occurred_at=e.at,
        conversation_id=e.conversation,
        cycle=e.cycle,
        target=e.target,
        n=e.n,
        policy=e.policy,
        due_at=clock.due_at,
        at=e.at,
        started_at=clock.started_at,
        target_seconds=seconds(policy.target(e.target) if policy else None),
        hours=policy.hours if policy else "calendar",
        contact_id=p.head.contact_id,
        channel_kind=p.head.channel_kind,
        assignee=p.head.assignee,
        team_id=p.context.get("team"),
        priority=p.head.priority,
    )
