"""Messaging windows (pure): WhatsApp 24 h + templates, Meta 24 h / 7 days human agent."""

from __future__ import annotations

from datetime import timedelta

import pytest

from social_ingest.windows import decide
from tests.unit.social.helpers import T0

H = timedelta(hours=1)
CASES = [
    # channel, hours since last inbound (None: never), template, human_agent, allowed, mode
    ("whatsapp", 1, None, False, True, "free"),
    ("whatsapp", 24, None, False, True, "free"),
    ("whatsapp", 24.01, None, False, False, "free"),
    ("whatsapp", 30, "order_update", False, True, "template"),
    ("whatsapp", None, None, False, False, "free"),
    ("whatsapp", None, "welcome", False, True, "template"),
    ("whatsapp", 100, None, True, False, "free"),  # human_agent is a Meta tag, not WhatsApp's
    ("messenger", 23, None, False, True, "free"),
    ("messenger", 25, None, False, False, "free"),
    ("messenger", 25, None, True, True, "human_agent"),
    ("messenger", 24 * 7, None, True, True, "human_agent"),
    ("messenger", 24 * 7 + 1, None, True, False, "free"),
    ("instagram", 2, None, False, True, "free"),
    ("instagram", 48, None, False, False, "free"),
    ("instagram", 48, None, True, True, "human_agent"),
    ("instagram", None, None, True, False, "free"),
    ("messenger", 30, "tmpl", False, False, "free"),  # templates do not open Meta's window
    ("telegram", None, None, False, True, "free"),
    ("x", 1000, None, False, True, "free"),
    ("sms", None, None, False, True, "free"),
]


@pytest.mark.parametrize(("channel", "hours", "template", "human", "allowed", "mode"), CASES)
def test_window_rules(
    channel: str, hours: float | None, template: str | None, human: bool, allowed: bool, mode: str
) -> None:
    last = None if hours is None else T0 - hours * H
    d = decide(channel, last, T0, template=template, human_agent=human)
    assert (d.allowed, d.mode) == (allowed, mode)
    assert (d.reason is None) == allowed  # a closed window always says why


def test_reason_names_the_age_and_the_rule() -> None:
    d = decide("whatsapp", T0 - 30 * H, T0)
    assert d.reason == "last customer message 30.0 h ago (window 24 h, and no template given)"
