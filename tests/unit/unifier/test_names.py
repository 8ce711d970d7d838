"""What agents call a sender: the latest non-empty name, else the handle formatted by channel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hotline import events as ev
from tests.unit.unifier.factory import ident, message
from unifier.domain.names import Seen, clean_name, display_name, handle_label, label, names
from unifier.domain.rules import RuleSet
from unifier.domain.unify import unify
from unifier.domain.working import WorkingSet

T = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
VISITOR = "v_cda5f00dbeefcafe01234567"


def seen(name: str | None, kind: str, handle: str, minutes: int) -> Seen:
    return Seen(name, kind, handle, T + timedelta(minutes=minutes))


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([], None),
        ([seen("Maria Lopez", "whatsapp", "4915112345678", 0)], "Maria Lopez"),
        (  # the latest non-empty name wins, whatever the channel
            [
                seen("Maria Lopez", "whatsapp", "4915112345678", 0),
                seen("Maria", "slack", "D01", 5),
            ],
            "Maria",
        ),
        (  # a later message without a name does not erase the name
            [seen("Maria", "slack", "D01", 0), seen(None, "sms", "+4915112345678", 9)],
            "Maria",
        ),
        (  # no name anywhere: the latest handle, formatted by channel
            [seen(None, "email", "m@x.test", 0), seen(None, "sms", "+4915112345678", 9)],
            "+4915112345678",
        ),
        ([seen(None, "sms", "4915112345678", 0)], "+4915112345678"),  # E.164, with its "+"
        ([seen(None, "whatsapp", "4915112345678", 0)], "+4915112345678"),  # a wa_id
        ([seen(None, "voice", "+4915112345678", 0)], "+4915112345678"),  # a caller's number
        ([seen(None, "email", "bob@example.test", 0)], "bob@example.test"),
        ([seen(None, "sms", "ACME", 0)], "ACME"),  # an alphanumeric sender as the carrier sent it
        (  # the same instant: the alphabetically first, so every read agrees
            [seen("Zed", "x", "1", 0), seen("Ann", "telegram", "2", 0)],
            "Ann",
        ),
    ],
)
def test_label(rows: list[Seen], expected: str | None) -> None:
    assert label(rows) == expected


@pytest.mark.parametrize(
    ("kind", "handle", "prefix"),
    [
        ("widget", VISITOR, "Visitor"),
        ("slack", "D0123ABC", "Slack user"),  # a DM channel id
        ("telegram", "123456789", "Telegram user"),
        ("x", "987654321", "X user"),
        ("messenger", "psid-1", "Messenger user"),
    ],
)
def test_anonymous_handles_get_a_short_stable_tag_never_the_id(
    kind: str, handle: str, prefix: str
) -> None:
    got = label([seen(None, kind, handle, 0)])
    assert got is not None and got.startswith(prefix + " ")
    tag = got.removeprefix(prefix + " ")
    assert len(tag) == 6 and handle not in got and tag not in handle
    assert got == handle_label(kind, handle)  # stable
    assert got != handle_label(kind, handle + "x")  # and distinct per visitor


def test_display_name_ignores_handles() -> None:
    assert display_name([seen(None, "email", "m@x.test", 0)]) is None


def test_names_are_distinct_per_channel_with_last_time() -> None:
    rows = [
        seen("Maria Lopez", "whatsapp", "4915112345678", 0),
        seen("Maria Lopez", "whatsapp", "4915112345678", 7),
        seen("Maria", "slack", "D01", 3),
        seen("Maria Lopez", "email", "m@x.test", 1),
        seen(None, "sms", "+4915112345678", 9),
    ]
    assert names(rows) == [
        {
            "name": "Maria Lopez",
            "channel": "whatsapp",
            "last_seen_at": (T + timedelta(minutes=7)).isoformat(),
        },
        {
            "name": "Maria",
            "channel": "slack",
            "last_seen_at": (T + timedelta(minutes=3)).isoformat(),
        },
        {
            "name": "Maria Lopez",
            "channel": "email",
            "last_seen_at": (T + timedelta(minutes=1)).isoformat(),
        },
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        ("  Maria   Lopez ", "Maria Lopez"),
        ("Maria\nLopez\r\n", "Maria Lopez"),
        ("evil\u202egnp.exe", "evil gnp.exe"),  # a bidi override cannot disguise the name
        ("zero\u200bwidth", "zero width"),
        ("\x00\x07", None),
        ("<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),  # kept; escaped on output
        ("x" * 500, "x" * 200),
    ],
)
def test_clean_name(raw: str | None, expected: str | None) -> None:
    assert clean_name(raw) == expected


def test_the_plan_carries_each_senders_cleaned_name() -> None:
    named = message("m1", ids=[ident("email", "m@x.test")], handle="m@x.test")
    named.sender.display_name = "  Maria\u202e Lopez "
    plan = unify(WorkingSet("acme"), [(named, ev.encode(named))], RuleSet())
    anonymous = message("s1", "sms", handle="+4915112345678")
    plan2 = unify(WorkingSet("acme"), [(anonymous, ev.encode(anonymous))], RuleSet())
    assert [m.sender_name for m in plan.messages + plan2.messages] == ["Maria Lopez", None]
