"""One SLA clock while the history is walked: its used time, pauses, thresholds and ending.

Used time is counted in the policy's time between run starts and pauses, so the due time is
``add(last run start, target - used)`` and a pause moves it by the paused share of that time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from unifier.domain.sla import BusinessTime, Clock, Span, State, Target

ZERO = timedelta(0)


@dataclass
class Meter:
    """A clock during the walk: ``since`` is its last run start, None while paused."""

    target: Target
    n: int
    started_at: datetime
    budget: timedelta
    warn_budget: timedelta
    time: BusinessTime
    since: datetime | None
    used: timedelta = ZERO
    pause_start: datetime | None = None
    paused: list[Span] = field(default_factory=list)
    transitions: list[tuple[State, datetime]] = field(default_factory=list)
    warned_at: datetime | None = None
    final_due: datetime | None = None

    @property
    def state(self) -> State:
        return self.transitions[-1][0]

    def due(self) -> datetime | None:
        return None if self.since is None else self.time.add(self.since, self.budget - self.used)

    def warning(self) -> datetime | None:
        if self.since is None or self.warned_at is not None or self.warn_budget <= self.used:
            return None
        return self.time.add(self.since, self.warn_budget - self.used)

    def pass_thresholds(self, t: datetime, *, inclusive: bool) -> None:
        """Record the warning and then the breach if they come before ``t`` (or at it)."""

        def reached(moment: datetime | None) -> bool:
            return moment is not None and (moment < t or (inclusive and moment == t))

        warning = self.warning()
        if reached(warning):
            self.warned_at = warning
        due = self.due()
        if due is not None and reached(due):
            self.final_due = due
            self.transitions.append(("breached", due))

    def pause(self, t: datetime) -> None:
        if self.since is not None:
            self.used += self.time.between(self.since, t)
            self.since, self.pause_start = None, t
            self.transitions.append(("paused", t))

    def resume(self, t: datetime) -> None:
        if self.since is None and self.pause_start is not None:
            self.paused.append((self.pause_start, t))
            self.since, self.pause_start = t, None
            self.transitions.append(("running", t))

    def end(self, state: State, t: datetime) -> None:
        """Fulfilled or stopped at ``t``: a paused clock's pause ends there too."""
        self.final_due = self.due()
        if self.since is not None:
            self.used += self.time.between(self.since, t)
        elif self.pause_start is not None:
            self.paused.append((self.pause_start, t))
        self.since = self.pause_start = None
        self.transitions.append((state, t))

    def done(self, conversation: str, cycle: int, policy: str, now: datetime) -> Clock:
        used = self.used + (self.time.between(self.since, now) if self.since else ZERO)
        live = self.state in ("running", "paused")
        return Clock(
            conversation=conversation,
            cycle=cycle,
            target=self.target,
            n=self.n,
            policy=policy,
            started_at=self.started_at,
            paused=tuple(self.paused),
            due_at=self.due() if live else self.final_due,
            warn_at=self.warned_at or self.warning(),
            remaining=max(self.budget - used, ZERO) if live else ZERO,
            state=self.state,
            transitions=tuple(self.transitions),
            warned_at=self.warned_at,
        )
