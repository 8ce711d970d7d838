"""A synthetic arrival history with known seasonality: hourly, a morning peak at 10:00, quiet
weekends, Poisson noise (seeded)."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

START = datetime(2024, 3, 4)  # a Monday
HOUR = timedelta(hours=1)
DAY_SHAPE = np.array(
    [1, 1, 1, 1, 1, 2, 4, 10, 20, 28, 32, 26, 14, 20, 24, 22, 18, 12, 6, 4, 3, 2, 1, 1.0]
)
WEEK_FACTOR = np.array([1.2, 1.0, 1.0, 1.0, 0.9, 0.25, 0.2])  # Monday busiest


def expected(days: int, start_day: int = 0) -> npt.NDArray[np.float64]:
    """The true mean arrivals per hour of days ``start_day`` .. ``start_day + days``."""
    weekday = (np.arange(start_day, start_day + days) % 7).repeat(24)
    return np.asarray(np.tile(DAY_SHAPE, days) * WEEK_FACTOR[weekday], dtype=np.float64)


def arrivals(days: int, seed: int = 7) -> npt.NDArray[np.float64]:
    return np.random.default_rng(seed).poisson(expected(days)).astype(float)


def counts_csv(days: int) -> str:
    rows = [f"{START + i * HOUR:%Y-%m-%d %H:%M},{int(v)}" for i, v in enumerate(arrivals(days))]
    return "hour,calls\n" + "\n".join(rows) + "\n"
