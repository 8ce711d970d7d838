"""The report page's charts: how each figure reads, and bars to scale (None draws nothing)."""

from __future__ import annotations

import pytest

from unifier.domain.ops_report import Row
from unifier.entrypoints.web.report_charts import (
    FIGURES,
    LABEL_W,
    PLOT_W,
    chart,
    charts,
    duration,
    share,
)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (4.4, "4 s"),
        (59, "59 s"),
        (60, "1 min"),
        (90, "1.5 min"),
        (7199, "120 min"),
        (7200, "2 h"),
        (5400 * 2, "3 h"),
        (172799, "48 h"),
        (172800, "2 d"),
        (3 * 86400 + 8640, "3.1 d"),
    ],
)
def test_duration_reads(seconds: float, text: str) -> None:
    assert duration(seconds) == text


def test_share_reads() -> None:
    assert (share(0.0), share(1 / 3), share(1.0)) == ("0 %", "33 %", "100 %")


def test_bars_to_scale_and_nothing_measured() -> None:
    rows = [("email", Row("email", opened=2, first_response_p50=30.0)), ("sms", Row("sms"))]
    rows.append(("whatsapp", Row("whatsapp", opened=4, first_response_p50=120.0)))
    opened = chart(FIGURES[0], rows, Row("total", opened=6))
    assert [(b.label, b.text, b.width) for b in opened.bars] == [
        ("email", "2", PLOT_W / 2),
        ("sms", "0", 0),
        ("whatsapp", "4", PLOT_W),
    ]
    assert opened.total == "6" and opened.width > LABEL_W + PLOT_W
    response = chart(FIGURES[1], rows, Row("total"))
    assert [b.text for b in response.bars] == ["30 s", "–", "2 min"]
    assert response.total == "–" and [b.y for b in response.bars] == [4, 28, 52]


def test_every_figure_gets_a_chart() -> None:
    assert [c.figure for c in charts([], Row("total"))] == [f for f, _, _ in FIGURES]
