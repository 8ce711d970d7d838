"""Routing by skills, then capacity per channel kind, then longest waiting, only to online
agents within their working hours: tables of floors and the picks, each explained."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hotline.calendars.calendar import Calendar
from hotline.calendars.week import parse_week
from unifier.domain import assignment as dom
from unifier.domain import routing as r

FR = r.skills_of(["fr"], [], [])
EN = r.skills_of(["en"], [], [])
FR_BILLING = r.skills_of(["fr", "de"], ["billing"], ["whatsapp", "email"])
TEAM = dom.Team("t1", "Support", ("ana", "bob", "cy"))
CAP = {"ana": 10, "bob": 10, "cy": 10}
ALL = frozenset({"ana", "bob", "cy"})


@pytest.mark.parametrize(
    ("skills", "needs", "covers", "matched"),
    [
        (r.ANY, r.needs_of("whatsapp", "fr", "billing"), True, 0),
        (FR, r.needs_of("whatsapp", "fr", None), True, 1),
        (FR, r.needs_of("whatsapp", "FR", None), True, 1),  # case folded
        (EN, r.needs_of("whatsapp", "fr", None), False, 0),
        (EN, r.needs_of("whatsapp", None, None), True, 0),  # unknown language needs nothing
        (FR_BILLING, r.needs_of("email", "de", "billing"), True, 3),
        (FR_BILLING, r.needs_of("voice", "de", "billing"), False, 2),  # not this channel
        (FR_BILLING, r.needs_of("email", "fr", "refunds"), False, 2),
        (FR_BILLING, r.needs_of("email", "fr", None), True, 2),
    ],
)
def test_skills_cover_needs(skills: r.Skills, needs: r.Needs, covers: bool, matched: int) -> None:
    assert skills.covers(needs) is covers
    assert skills.matched(needs) == matched


def _pick(floor: dom.Floor, needs: r.Needs, team: dom.Team = TEAM) -> dom.Pick:
    return dom.pick(team, floor, dom.ROUND_ROBIN, needs)


def test_the_french_speaker_gets_the_french_conversation() -> None:
    floor = dom.Floor(ALL, {}, CAP, skills={"ana": EN, "bob": FR})
    chosen = _pick(floor, r.needs_of("whatsapp", "fr", None))
    assert chosen.assignee == "bob"
    assert "ana (no skill)" in chosen.explanation
    assert "needs whatsapp, fr, any category" in chosen.explanation
    # cy covers any language but bob names French: the explicit match goes first
    assert "best skill fit 1" in chosen.explanation
    # bob full for whatsapp (limit 1): cy (any language) takes it; ana still cannot
    floor = dom.Floor(
        ALL,
        {"bob": 1},
        CAP,
        skills={"ana": EN, "bob": FR},
        limits={"bob": {"whatsapp": 1}},
        kind_loads={("bob", "whatsapp"): 1},
    )
    chosen = _pick(floor, r.needs_of("whatsapp", "fr", None))
    assert chosen.assignee == "cy"
    assert "bob (1/10, whatsapp 1/1 full)" in chosen.explanation


@pytest.mark.parametrize(
    ("floor", "reason", "words"),
    [
        (dom.Floor(ALL, {}, CAP, skills=dict.fromkeys(ALL, EN)), dom.NO_SKILL_MATCH, "no member"),
        (dom.Floor(frozenset(), {}, CAP, skills={"bob": FR}), dom.NO_AGENT_ONLINE, "bob (offline)"),
        (
            dom.Floor(ALL, {}, CAP, skills=dict.fromkeys(ALL, FR), on_shift=frozenset()),
            dom.OUTSIDE_HOURS,
            "ana (off shift)",
        ),
        (
            dom.Floor(
                ALL,
                {},
                CAP,
                skills=dict.fromkeys(ALL, FR),
                limits={a: {"whatsapp": 0} for a in ALL},
            ),
            dom.ALL_AT_CAPACITY,
            "cy (0/10, whatsapp 0/0 full)",
        ),
    ],
)
def test_why_a_french_conversation_waits(floor: dom.Floor, reason: str, words: str) -> None:
    chosen = _pick(floor, r.needs_of("whatsapp", "fr", None))
    assert (chosen.assignee, chosen.reason) == (None, reason)
    assert words in chosen.explanation, chosen.explanation


def test_capacity_is_per_channel_kind() -> None:
    """chat 3, email 10, voice 1: a voice call goes elsewhere while her chats do not."""
    limits = {"ana": {"chat": 3, "email": 10, "voice": 1}}
    floor = dom.Floor(frozenset({"ana"}), {}, {"ana": 20}, limits=limits)
    team = dom.Team("t1", "Support", ("ana",))
    got = [dom.place(team, floor, 1, dom.ROUND_ROBIN, r.Needs(k))[0][0].assignee for k in
           ["voice", "voice", "chat", "chat", "chat", "chat", "email"]]  # fmt: skip
    assert got == ["ana", None, "ana", "ana", "ana", None, "ana"]
    assert floor.loads == {"ana": 5}


def test_working_hours() -> None:
    week = parse_week({"mon": ["09:00-12:30", "13:30-17:00"]})
    shift = Calendar(ZoneInfo("Europe/Paris"), week)
    monday = datetime(2026, 12, 7, tzinfo=ZoneInfo("Europe/Paris"))
    hours = {"ana": shift, "bob": None}
    assert r.on_shift(hours, ["ana", "bob", "cy"], monday + timedelta(hours=10)) == {
        "ana",
        "bob",
        "cy",
    }
    assert r.on_shift(hours, ["ana", "bob"], monday + timedelta(hours=13)) == {"bob"}  # lunch
    assert r.on_shift(hours, ["ana"], monday + timedelta(days=1, hours=10)) == set()


@dataclass(frozen=True)
class Slot:
    thread_id: str
    waiting_since: datetime


def test_longest_waiting_first() -> None:
    t0 = datetime(2026, 12, 7, tzinfo=UTC)
    slots = [Slot("c", t0), Slot("a", t0 + timedelta(seconds=5)), Slot("b", t0)]
    assert [s.thread_id for s in r.longest_waiting_first(slots)] == ["b", "c", "a"]


@pytest.mark.parametrize(
    ("needs", "want"),
    [
        (r.needs_of("whatsapp", "fr", None), "fr"),  # the French team requires it
        (r.needs_of("whatsapp", "fr", "billing"), "fr-billing"),  # more specific
        (r.needs_of("whatsapp", "en", None), "general"),
        (r.needs_of("whatsapp", None, None), "general"),  # unknown: not for a team requiring
        (r.needs_of("email", "fr", None), "mail"),
        (r.needs_of("sms", "fr", None), None),
    ],
)
def test_team_requirements_choose_the_queue(needs: r.Needs, want: str | None) -> None:
    inboxes = [
        ("general", "whatsapp", "*"),
        ("fr", "whatsapp", "*"),
        ("fr-billing", "whatsapp", "*"),
        ("mail", "email", "*"),
    ]
    requires = {"fr": FR, "fr-billing": r.skills_of(["fr"], ["billing"], []), "mail": EN}
    assert r.team_for(needs, "pn1", inboxes, requires) == want


def test_a_team_nobody_meets_still_queues() -> None:
    inboxes = [("fr", "whatsapp", "*")]
    assert r.team_for(r.needs_of("whatsapp", "en", None), "pn1", inboxes, {"fr": FR}) == "fr"
