"""What a staffing plan must meet, and the inputs it is computed from."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Channel = Literal["phone", "chat", "email"]  # phone and chat wait in a queue; email does not


@dataclass(frozen=True)
class Target:
    aht: float  # average handling time, seconds (talk + hold + wrap-up)
    service_level: float = 0.8  # share of contacts answered within answer_time
    answer_time: float = 20.0  # seconds
    max_occupancy: float = 0.85  # share of an agent's time on contacts
    shrinkage: float = 0.3  # share of paid time not available (breaks, training, absence)
    patience: float | None = None  # mean patience, seconds: Erlang A when known

    def __post_init__(self) -> None:
        if not (self.aht > 0 and self.answer_time >= 0):
            raise ValueError("the handling time must be positive and the answer time not negative")
        if not (0 < self.service_level < 1 and 0 < self.max_occupancy <= 1):
            raise ValueError("the service level must be in (0, 1), the occupancy in (0, 1]")
        if not 0 <= self.shrinkage < 1:
            raise ValueError("the shrinkage must be in [0, 1)")
        if self.patience is not None and not self.patience > 0:
            raise ValueError("the patience must be positive")


def scheduled(agents: int, shrinkage: float) -> int:
    """Agents to schedule so ``agents`` are available after shrinkage (rounded up)."""
    return math.ceil(agents / (1 - shrinkage) - 1e-9)
