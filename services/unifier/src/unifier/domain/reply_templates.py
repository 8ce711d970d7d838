"""WhatsApp message templates, pure: the body's placeholders, the text a template sends, and
whether the customer's 24-hour window is closed (then only a template may go out)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

WINDOW = timedelta(hours=24)
PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")


def placeholder_count(body: str) -> int:
    """How many values the body takes: its highest ``{{n}}`` (0 when it has none)."""
    return max((int(n) for n in PLACEHOLDER.findall(body)), default=0)


def render(body: str, params: list[str]) -> str:
    """The body with ``{{n}}`` replaced by ``params[n-1]`` (a missing value stays visible)."""

    def value(m: re.Match[str]) -> str:
        n = int(m.group(1))
        return params[n - 1] if 0 < n <= len(params) else m.group(0)

    return PLACEHOLDER.sub(value, body)


def window_closed(last_customer_message: datetime | None, now: datetime) -> bool:
    """Closed when the customer last wrote more than 24 h ago, or never on this channel."""
    return last_customer_message is None or now - last_customer_message > WINDOW


def from_provider(doc: Any) -> list[dict[str, str]]:
    """The templates of one page of the Cloud API's ``GET /{waba-id}/message_templates``:
    name, language, status, category and the BODY component's text ("" when it has none)."""
    out = []
    for t in doc.get("data", []) if isinstance(doc, dict) else []:
        parts = [c for c in t.get("components", []) if c.get("type") == "BODY"]
        out.append(
            {
                "name": str(t["name"]),
                "language": str(t["language"]),
                "status": str(t.get("status", "PENDING")),
                "category": str(t.get("category", "UTILITY")),
                "body": str(parts[0].get("text", "")) if parts else "",
            }
        )
    return out
