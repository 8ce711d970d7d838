"""Jinja2 for the workspace: autoescaped everywhere, the principal and CSRF token in every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from unifier.domain.inert import unbidi
from unifier.entrypoints.api.auth import Principal
from unifier.entrypoints.web.content_filters import FILTERS

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


def _finalize(value: Any) -> Any:
    """Every ``{{ … }}`` output: a string loses bidi embeddings, overrides and isolates, so no
    customer-written name, subject or filename can reverse what the agent reads next to it."""
    if isinstance(value, Markup):  # a macro's or filter's output: still markup afterwards
        return Markup(unbidi(str(value)))
    return unbidi(value) if isinstance(value, str) else value


env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,  # every template, whatever its name
    undefined=jinja2.StrictUndefined,
    finalize=_finalize,
)
env.filters.update(FILTERS)  # customer strings: bidi stripped, http(s) links


def render(name: str, who: Principal | None, status_code: int = 200, **model: Any) -> HTMLResponse:
    """A template (a page extending base.html, or an htmx fragment) as an HTML response."""
    html = env.get_template(name).render(who=who, csrf=who.csrf_token if who else "", **model)
    return HTMLResponse(html, status_code=status_code)
