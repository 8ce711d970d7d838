"""Login rate limiting: at most N attempts per key (client address, email) in a sliding window.

In memory and per process: each unifier process counts its own attempts, so behind a load
balancer with K processes a client gets up to K times the limit (the per-account lockout in
the database is the limit that holds across processes).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass
class SlidingWindow:
    limit: int
    window: float  # seconds
    hits: dict[str, deque[float]] = field(default_factory=dict)

    def allow(self, key: str, now: float) -> bool:
        """Count an attempt of ``key`` at ``now`` (monotonic seconds); False once over."""
        recent = self.hits.setdefault(key, deque())
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        if len(recent) >= self.limit:
            return False
        recent.append(now)
        self._forget_idle(now)
        return True

    def _forget_idle(self, now: float) -> None:
        """Keep memory bounded: drop keys whose last attempt left the window."""
        if len(self.hits) < 10_000:
            return
        for key in [k for k, q in self.hits.items() if not q or q[-1] <= now - self.window]:
            del self.hits[key]
