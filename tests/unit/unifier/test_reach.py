"""Where a reply can go: the customer's last channel first; no message of hers on a channel
means nothing to answer there; the Meta channels' 24-hour window closes free text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from unifier.domain.reach import channels, reach

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "ago", "blocked"),
    [
        ("email", timedelta(days=90), None),
        ("sms", timedelta(days=3), None),
        ("whatsapp", timedelta(hours=23, minutes=59), None),
        ("whatsapp", timedelta(hours=24, minutes=1), "24-hour reply window closed"),
        ("messenger", timedelta(days=2), "24-hour reply window closed"),
        ("instagram", timedelta(days=2), "24-hour reply window closed"),
        ("telegram", timedelta(days=2), None),
        ("email", None, "has not written on email"),
    ],
)
def test_reach(kind: str, ago: timedelta | None, blocked: str | None) -> None:
    got = reach(kind, "h", NOW - ago if ago else None, NOW)
    assert got.ok is (blocked is None)
    if blocked:
        assert got.blocked is not None and blocked in got.blocked


def test_the_last_channel_comes_first_then_the_unused_ones_by_name() -> None:
    handles = {"email": "a@x", "whatsapp": "+49", "sms": "+49", "slack": "U1"}
    last = {"email": NOW - timedelta(hours=5), "whatsapp": NOW - timedelta(hours=1)}
    got = channels(handles, last, NOW)
    assert [(r.kind, r.ok) for r in got] == [
        ("whatsapp", True),
        ("email", True),
        ("slack", False),
        ("sms", False),
    ]
    assert channels({}, {"widget": NOW}, NOW)[0].handle == ""


def test_a_call_is_no_channel_to_write_to() -> None:
    handles = {"voice": "+4915100000001", "whatsapp": "4915100000001"}
    last = {"voice": NOW - timedelta(minutes=5), "whatsapp": NOW - timedelta(hours=2)}
    assert [r.kind for r in channels(handles, last, NOW)] == ["whatsapp"]
    assert channels({"voice": "+49151"}, {"voice": NOW}, NOW) == []
