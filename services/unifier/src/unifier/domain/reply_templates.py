"""WhatsApp message templates, pure: the body's placeholders, the text a template sends, and
whether the customer's 24-hour window is closed (then only a template may go out)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

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
