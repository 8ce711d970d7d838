"""The list rows' derived fields and the paging cursor (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hotline.http import Rejected
from unifier.entrypoints.web import list_model
from unifier.entrypoints.web.list_model import Filters
from unifier.store.inbox_rows import Key

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def row(**given: Any) -> dict[str, Any]:
    last = {"text": "hi", "direction": "inbound", "deleted": False, "author": None}
    base: dict[str, Any] = {
        "thread_id": "t1",
        "open": True,
        "snoozed_until": None,
        "unread": 2,
        "channels": ["email", "whatsapp"],
        "last_message_at": NOW - timedelta(minutes=5),
        "opened_at": NOW - timedelta(days=1),
        "closed_at": None,
        "last": last | given.pop("last", {}),
    }
    return base | given


@pytest.mark.parametrize(
    ("given", "status"),
    [
        ({}, "open"),
        ({"open": False}, "closed"),
        ({"snoozed_until": NOW + timedelta(hours=1)}, "snoozed"),
        ({"snoozed_until": NOW - timedelta(hours=1)}, "open"),
        ({"open": False, "snoozed_until": NOW + timedelta(hours=1)}, "closed"),
    ],
)
def test_status(given: dict[str, Any], status: str) -> None:
    assert list_model.present(row(**given), NOW)["status"] == status


def test_preview_times_and_channels() -> None:
    shown = list_model.present(row(last={"text": "a\n b  " + "x" * 300}, unread=-1), NOW)
    assert shown["preview"]["text"].startswith("a b xx") and len(shown["preview"]["text"]) == 120
    assert shown["preview"]["text"].endswith("…") and shown["unread"] == 0
    assert (shown["ago"], shown["at_label"]) == ("5 min", "2026-12-07 11:55 UTC")
    assert shown["last_message_at"] == "2026-12-07T11:55:00+00:00"
    assert shown["channel_names"] == ["Email", "WhatsApp"]
    gone = list_model.present(row(last={"text": "", "deleted": True}), NOW)["preview"]
    assert gone["text"] == "message deleted" and gone["deleted"] is True
    assert list_model.present(row() | {"last": None}, NOW)["preview"] is None
    a, b = (list_model.present(row(), NOW)["sig"] for _ in range(2))
    assert a == b != list_model.present(row(unread=3), NOW)["sig"]


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=30), "now"),
        (timedelta(minutes=59), "59 min"),
        (timedelta(hours=3), "3 h"),
        (timedelta(days=6), "6 d"),
        (timedelta(days=20), "17 Nov"),
        (timedelta(days=400), "02 Nov 2025"),
    ],
)
def test_ago(delta: timedelta, text: str) -> None:
    assert list_model.ago(NOW - delta, NOW) == text


def test_cursor_round_trip_and_refusal() -> None:
    key = Key(NOW + timedelta(microseconds=7), "t-1")
    assert list_model.decode_cursor(list_model.encode_cursor(key)) == key
    for bad in ("", "%%%", "WyJ4Il0", "bnVsbA"):
        with pytest.raises(Rejected):
            list_model.decode_cursor(bad)


def test_urls_keep_the_filters() -> None:
    f = Filters(view="mine", status=None, channel="sms", q="a&b", limit=10)
    assert (
        f.url("/inbox", c="t1") == "/inbox?view=mine&status=any&channel=sms&q=a%26b&limit=10&c=t1"
    )
    assert Filters().url("/inbox/list", cursor=None) == "/inbox/list?view=all&status=any"
