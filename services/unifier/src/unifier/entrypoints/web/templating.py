"""Jinja2 for the workspace: autoescaped everywhere, the principal and CSRF token in every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from fastapi.responses import HTMLResponse

from unifier.entrypoints.api.auth import Principal
from unifier.entrypoints.web.content_filters import FILTERS

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,  # every template, whatever its name
    undefined=jinja2.StrictUndefined,
)
env.filters.update(FILTERS)  # customer strings: bidi stripped, http(s) links


def render(name: str, who: Principal | None, status_code: int = 200, **model: Any) -> HTMLResponse:
    """A template (a page extending base.html, or an htmx fragment) as an HTML response."""
    html = env.get_template(name).render(who=who, csrf=who.csrf_token if who else "", **model)
    return HTMLResponse(html, status_code=status_code)
