"""/readyz's consumer check: assigned partitions, and no partition stalled too long."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

import pytest

from unifier.entrypoints.runtime import ConsumerRuntime
from unifier.settings import UnifierSettings


@dataclass
class Loop:
    """The two things the check reads of a ConsumerLoop."""

    assigned: set[Any] = field(default_factory=set)
    stalled: float = 0.0

    def stalled_seconds(self) -> float:
        return self.stalled


@pytest.mark.parametrize(
    ("loop", "ready"),
    [
        (None, False),  # not started
        (Loop(), False),  # no partitions assigned yet
        (Loop({("t", 0)}), True),
        (Loop({("t", 0)}, stalled=59.0), True),  # a short stall: retrying, still ready
        (Loop({("t", 0)}, stalled=61.0), False),  # stuck on an unknown error: not ready
    ],
)
async def test_consumer_ready(loop: Loop | None, ready: bool) -> None:
    settings = UnifierSettings(env="test", stall_ready_seconds=60.0)
    nothing = cast(Any, None)
    runtime = ConsumerRuntime(settings, nothing, nothing, nothing, nothing, current=cast(Any, loop))
    assert await runtime.consumer_ready() is ready
