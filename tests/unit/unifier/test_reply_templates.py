"""WhatsApp templates, pure: placeholders, the text a template sends, the 24-hour window and
the Cloud API's template list read into rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hotline_tools.devstack.providers import TEMPLATES
from unifier.domain.reply_templates import from_provider, placeholder_count, render, window_closed

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "count"),
    [("Hello", 0), ("Hi {{1}}", 1), ("{{2}} then {{1}}", 2), ("{{ 3 }} only", 3), ("{{x}}", 0)],
)
def test_placeholder_count(body: str, count: int) -> None:
    assert placeholder_count(body) == count


def test_render_fills_values_by_number_and_leaves_missing_ones_visible() -> None:
    assert render("{{2}}, {{1}}!", ["world", "Hello"]) == "Hello, world!"
    assert render("Hi {{1}}, order {{2}}", ["Ana"]) == "Hi Ana, order {{2}}"
    assert render("{{1}}", ["{{2}}", "x"]) == "{{2}}"  # a value is not filled in again


@pytest.mark.parametrize(
    ("last", "closed"),
    [
        (None, True),  # never wrote on WhatsApp
        (NOW - timedelta(hours=23, minutes=59), False),
        (NOW - timedelta(hours=24), False),
        (NOW - timedelta(hours=24, seconds=1), True),
    ],
)
def test_the_window_closes_after_24_hours(last: datetime | None, closed: bool) -> None:
    assert window_closed(last, NOW) is closed


def test_the_providers_list_becomes_rows_with_the_body_text() -> None:
    rows = from_provider({"data": TEMPLATES, "paging": {}})
    assert [(r["name"], r["language"], r["status"]) for r in rows] == [
        (t["name"], t["language"], t["status"]) for t in TEMPLATES
    ]
    order = next(r for r in rows if r["language"] == "es")
    assert order == {
        "name": "order_update",
        "language": "es",
        "status": "APPROVED",
        "category": "UTILITY",
        "body": "Hola {{1}}, tu pedido {{2}} está en camino.",
    }
    no_body = {"data": [{"name": "h", "language": "en", "components": [{"type": "HEADER"}]}]}
    assert from_provider(no_body)[0]["body"] == ""
    assert from_provider({"error": {"message": "x"}}) == [] and from_provider([]) == []
