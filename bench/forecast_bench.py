"""make bench-forecast: the forecast's accuracy on the real service-desk arrival series
(issue 27). Writes bench/results/forecast.json; bench/insights.md reads it.

The series: ``contact-volume/hourly_incidents_opened.csv`` (hourly incidents opened, 99% by
phone), its artefact tail cut off by ``insights.forecast.history.trim_tail`` (found, not
assumed: it must end where SOURCE.md says the dense data ends, 2016-05-31), modelled from
2016-03-01 as SOURCE.md advises. Rolling origin: every midnight of the last 28 days is an
origin; from each, 14 days are forecast from the history before it (an expanding window);
MASE per day ahead, scaled by the origin's in-sample weekly seasonal-naive MAE, for the model
and the seasonal-naive baseline, with the 80% and 95% intervals' coverage.

Holidays: Brazil's public and optional holidays from the ``holidays`` package (the log's
authors are Brazilian; SOURCE.md names Good Friday, Tiradentes and Corpus Christi dips).
BENCH_FORECAST_QUICK=1 runs the product's variant on the total series only.
``$HOTLINE_CORPORA`` points at the corpora (default ../shared/corpora).
"""

from __future__ import annotations

import os
import time
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import holidays

from bench.common import write_result
from insights.forecast.backtest import HorizonScore, backtest, daily_origins
from insights.forecast.csvinput import CsvSpec, read_history
from insights.forecast.forecaster import Model, Options
from insights.forecast.history import trim_tail
from insights.forecast.model import mstl, mstl_ets
from insights.forecast.series import Series

CORPORA = Path(os.environ.get("HOTLINE_CORPORA", Path(__file__).parents[2] / "shared/corpora"))
FILE = "contact-volume/hourly_incidents_opened.csv"
FIRST, DENSE_END = datetime(2016, 3, 1), datetime(2016, 6, 1)
TEST_DAYS, HORIZON_DAYS = 28, 14
VARIANTS: dict[str, tuple[Model, bool]] = {  # name: (model, with holidays)
    "mstl-ets-sqrt + holidays (product)": (mstl_ets, True),
    "mstl-ets-sqrt": (mstl_ets, False),
    "mstl-ets (untransformed) + holidays": (partial(mstl, root=False), True),
    "mstl-arima-sqrt + holidays": (partial(mstl, trend="arima"), True),
}


def load(column: str) -> Series:
    series = read_history(CORPORA / FILE, CsvSpec(timedelta(hours=1), column=column))
    trimmed = trim_tail(series)
    assert trimmed.series.end == DENSE_END, f"artefact tail found at {trimmed.series.end}"
    return trimmed.series.window(FIRST, DENSE_END)


def brazil() -> frozenset[date]:
    days = holidays.country_holidays("BR", years=2016, categories=("public", "optional"))
    return frozenset(d for d in days if date(2016, 3, 1) <= d <= date(2016, 5, 31))


def run_variant(series: Series, model: Model, days: frozenset[date]) -> dict[str, Any]:
    origins = daily_origins(series, len(series) // 24 - TEST_DAYS)
    t0 = time.perf_counter()
    scores = backtest(series, origins, HORIZON_DAYS, Options(0, days, model=model))
    return {"seconds": round(time.perf_counter() - t0, 1), "origins": len(origins),
            "horizons": [row(s) for s in scores]}  # fmt: skip


def row(s: HorizonScore) -> dict[str, Any]:
    return {
        "day": s.day,
        "origins": s.origins,
        "mase": round(s.mase, 3),
        "mase_seasonal_naive": round(s.mase_baseline, 3),
        "relative_to_naive": round(s.mase / s.mase_baseline, 3),
        "coverage": {str(k): round(v, 3) for k, v in s.coverage.items()},
    }


def main() -> None:
    quick = os.environ.get("BENCH_FORECAST_QUICK") == "1"
    days = brazil()
    results: dict[str, Any] = {}
    for column in ("incidents_opened",) if quick else ("incidents_opened", "opened_phone"):
        series = load(column)
        for name, (model, with_days) in list(VARIANTS.items())[: 1 if quick else None]:
            key = f"{column}: {name}"
            results[key] = run_variant(series, model, days if with_days else frozenset())
            print(key, [h["mase"] for h in results[key]["horizons"]], flush=True)
    write_result("forecast", {"series": FILE, "window": [str(FIRST), str(DENSE_END)],
                              "test_days": TEST_DAYS, "horizon_days": HORIZON_DAYS,
                              "holidays": sorted(map(str, days)), "loadavg": os.getloadavg(),
                              "results": results})  # fmt: skip


if __name__ == "__main__":
    main()
