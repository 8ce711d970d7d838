"""Survey decisions (pure): which config an inbox gets, what a channel is asked, which texts
are a score, and what an answer does (latest before expiry wins, late kept, repeat ignored)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from unifier.domain import surveys as dom

BASE = dom.SurveyConfig()
AT = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "channels", "account", "expected"),
    [
        ("email", {}, None, (True, 5, 72.0)),
        ("whatsapp", {}, None, (True, 3, 72.0)),  # its reply buttons hold three
        ("whatsapp", {"whatsapp": {"scale": 5}}, None, (True, 5, 72.0)),  # then a list
        ("sms", {"sms": {"expiry_hours": 4}}, None, (True, 5, 4.0)),
        ("sms", {"sms": {"expiry_hours": 4}}, {"expiry_hours": 1}, (True, 5, 1.0)),
        ("telegram", {}, {"enabled": False}, (False, 5, 72.0)),
        ("voice", {}, {"enabled": True}, (False, 5, 72.0)),  # a call carries no survey
    ],
)
def test_config_layers_deployment_channel_then_inbox(
    kind: str,
    channels: dict[str, dict[str, Any]],
    account: dict[str, Any] | None,
    expected: tuple[bool, int, float],
) -> None:
    got = dom.config_for(BASE, kind, channels, account)
    assert (got.enabled, got.scale, got.expiry_hours) == expected


@pytest.mark.parametrize(
    "override",
    [
        {"scale": 4},
        {"question": " "},
        {"expiry_hours": 0},
        {"colour": "red"},
        {"scale": "5"},
        {"scale": True},
        {"enabled": "yes"},
        {"question": 7},
        {"expiry_hours": None},
    ],
)
def test_bad_survey_settings_are_refused(override: dict[str, Any]) -> None:
    with pytest.raises(dom.BadSurveyConfig):
        BASE.merged(override)


def test_choices_carry_the_survey_and_score_in_their_reply_ids() -> None:
    three = dom.choices("sv1", 3)
    assert [(c.reply_id, c.title) for c in three] == [
        ("csat:sv1:1", "😞 Poor"),
        ("csat:sv1:2", "😐 OK"),
        ("csat:sv1:3", "😀 Great"),
    ]
    assert [c.title for c in dom.choices("sv1", 10)] == [str(n) for n in range(1, 11)]


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("email", "Q?\n\nOne click, no sign-in: https://h/csat/t\n"),
        ("sms", "Q? Reply with a number from 1 to 5 (best)."),
        ("x", "Q? Reply with a number from 1 to 5 (best)."),
        ("whatsapp", "Q?"),
        ("widget", "Q?"),
    ],
)
def test_the_text_says_how_to_answer_where_no_buttons_do(kind: str, text: str) -> None:
    config = dom.SurveyConfig(question="Q?")
    assert dom.ask_text(config, kind, "https://h/csat/t") == text


@pytest.mark.parametrize(
    ("text", "scale", "score"),
    [
        ("4", 5, 4),
        (" 5 ", 5, 5),
        ("3.", 5, 3),
        ("1!", 5, 1),
        ("10", 10, 10),
        ("6", 5, None),
        ("0", 5, None),
        ("4 stars", 5, None),
        ("four", 5, None),
        ("", 5, None),
        ("1" * 40, 10, None),
    ],
)
def test_a_bare_score_on_the_scale(text: str, scale: int, score: int | None) -> None:
    assert dom.digits_score(text, scale) == score


@pytest.mark.parametrize(
    ("offset", "seen", "verdict"),
    [
        (timedelta(hours=-1), False, "accepted"),
        (timedelta(0), False, "accepted"),
        (timedelta(seconds=1), False, "late"),
        (timedelta(hours=-1), True, "duplicate"),
        (timedelta(days=9), True, "duplicate"),
    ],
)
def test_an_answer_before_expiry_counts_after_it_is_late_and_a_repeat_is_nothing(
    offset: timedelta, seen: bool, verdict: str
) -> None:
    assert dom.verdict(AT, AT + offset, seen) == verdict


def test_comments_are_trimmed_bounded_and_empty_is_none() -> None:
    assert dom.clean_comment("  fine  ") == "fine"
    assert dom.clean_comment("   ") is None and dom.clean_comment(None) is None
    assert dom.clean_comment("x" * 5000) == "x" * dom.COMMENT_MAX
    assert dom.expiry(BASE, AT) == AT + timedelta(hours=72)


def test_the_thread_shows_answered_open_or_expired() -> None:
    assert dom.state(4, AT, AT + timedelta(days=9)) == "answered"  # late answers change nothing
    assert dom.state(None, AT, AT) == "open"
    assert dom.state(None, AT, AT + timedelta(seconds=1)) == "expired"
