"""The report page's charts as server-side SVG geometry: one horizontal bar per row of the
report, for one figure, with the figure's text as a person reads it (counts, durations, shares,
scores). The template draws them; nothing here is script, and every text is escaped there."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from unifier.domain.ops_report import Row

BAR_H, GAP, TOP = 18, 6, 4  # px: a bar's height, the space between bars, above the first
LABEL_W, PLOT_W = 130, 300  # px: the labels' column, the longest bar
NOTHING = "–"  # a figure with nothing measured


@dataclass(frozen=True)
class Bar:
    label: str
    text: str  # the figure as shown, NOTHING when unmeasured
    y: int
    width: float  # px, 0 for NOTHING


@dataclass(frozen=True)
class Chart:
    figure: str  # the Row field (the chart's id on the page)
    title: str
    bars: list[Bar]
    total: str  # the figure of the whole window

    @property
    def height(self) -> int:
        return TOP + len(self.bars) * (BAR_H + GAP)

    @property
    def width(self) -> int:
        return LABEL_W + PLOT_W + 80


def count(value: float) -> str:
    return f"{value:g}"


def duration(seconds: float) -> str:
    """Seconds as a person reads them: 45 s, 12 min, 3.5 h, 2.1 d."""
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= 2 * size or (unit == "min" and seconds >= size):
            return f"{seconds / size:.1f} {unit}".replace(".0 ", " ")
    return f"{seconds:.0f} s"


def share(value: float) -> str:
    return f"{value * 100:.0f} %"


def score(value: float) -> str:
    return f"{value:.2f}"


Figure = tuple[str, str, Callable[[float], str]]  # the Row field, the title, how it reads
FIGURES: list[Figure] = [
    ("opened", "Conversations opened", count),
    ("first_response_p50", "First response time (median)", duration),
    ("first_response_p90", "First response time (90th percentile)", duration),
    ("resolution_p50", "Resolution time (median)", duration),
    ("reopen_rate", "Reopen rate", share),
    ("backlog", "Backlog at the end of the period", count),
    ("abandonment_rate", "Abandonment (customer left without an answer)", share),
    ("missed_calls", "Missed calls", count),
    ("sla_attainment", "SLA attainment", share),
    ("csat_mean", "CSAT (mean score, 1–5)", score),
]


def text_of(value: float | None, show: Callable[[float], str]) -> str:
    return NOTHING if value is None else show(value)


def chart(fig: Figure, rows: Sequence[tuple[str, Row]], total: Row) -> Chart:
    """``rows``: (label, row) in the report's order."""
    figure, title, show = fig
    values: list[float | None] = [getattr(row, figure) for _, row in rows]
    top = max((v for v in values if v is not None), default=0.0)
    bars = [
        Bar(label, text_of(v, show), TOP + i * (BAR_H + GAP), (v or 0) / top * PLOT_W if top else 0)
        for i, ((label, _), v) in enumerate(zip(rows, values, strict=True))
    ]
    return Chart(figure, title, bars, text_of(getattr(total, figure), show))


def charts(rows: Sequence[tuple[str, Row]], total: Row) -> list[Chart]:
    """A chart per figure."""
    return [chart(fig, rows, total) for fig in FIGURES]
