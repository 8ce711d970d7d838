"""One forecast-and-staffing run over a history: what ``hotline forecast`` computes (and what
the insights consumer will compute per channel, queue and tenant)."""

from __future__ import annotations

from dataclasses import dataclass

from insights.forecast.forecaster import Forecast, Options, forecast
from insights.forecast.history import trim_tail
from insights.forecast.peaks import Peak, daily_peaks
from insights.forecast.series import Series
from insights.staffing.plan import Need, staffing
from insights.staffing.targets import Channel, Target


@dataclass(frozen=True)
class Outlook:
    history: Series  # as modelled: the artefact tail cut off
    dropped_days: int
    forecast: Forecast
    peaks: list[Peak]
    needs: list[Need]  # one per forecast interval


def outlook(history: Series, options: Options, target: Target, channel: Channel) -> Outlook:
    trimmed = trim_tail(history)
    fc = forecast(trimmed.series, options)
    needs = staffing(list(fc.mean), fc.step, target, channel)
    return Outlook(trimmed.series, trimmed.dropped_days, fc, daily_peaks(fc), needs)
