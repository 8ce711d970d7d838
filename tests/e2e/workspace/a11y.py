"""Accessibility check of a workspace page with axe-core (axe-playwright-python's bundled copy)
and the screenshots a reviewer looks at.

``await assert_accessible(page)`` fails on any serious or critical violation and lists each
with its rule, impact, help and the offending nodes; ``await screenshot(page, name)`` writes
``var/screenshots/<name>.png`` (git-ignored)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from axe_playwright_python.async_playwright import Axe  # type: ignore[import-untyped]
from playwright.async_api import Page

BLOCKING = ("serious", "critical")
SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"
_AXE = Axe()


def _describe(violation: dict[str, Any]) -> str:
    nodes = "; ".join(
        " ".join(n.get("target", [])) + f" ({n.get('failureSummary', '').strip()})"
        for n in violation["nodes"][:5]
    )
    return f"{violation['id']} [{violation['impact']}] {violation['help']}: {nodes}"


async def violations(page: Page, blocking: tuple[str, ...] = BLOCKING) -> list[str]:
    """The violations of the page at the given impacts, described one a line."""
    results = await _AXE.run(page)
    found = results.response["violations"]
    return [_describe(v) for v in found if v.get("impact") in blocking]


async def assert_accessible(page: Page) -> None:
    blocking = await violations(page)
    assert not blocking, f"{page.url}: {len(blocking)} serious/critical axe violations:\n" + (
        "\n".join(blocking)
    )


async def screenshot(page: Page, name: str, selector: str | None = None) -> Path:
    """The whole page, or the element ``selector`` picks (an iframe's own rendering)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    if selector:
        await page.locator(selector).screenshot(path=str(path))
    else:
        await page.screenshot(path=str(path), full_page=True)
    return path
