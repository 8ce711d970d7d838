"""Round robin with capacity, only to online agents: a table of floors and the picks."""

from __future__ import annotations

import pytest

from unifier.domain import assignment as dom
from unifier.domain import routing

ABC = ("ana", "bob", "cy")
CAP3 = {"ana": 3, "bob": 3, "cy": 3}


@pytest.mark.parametrize(
    ("members", "pointer", "online", "loads", "count", "want", "pointer_after"),
    [
        # from the start when nobody was given one yet; equal loads: the rotation decides
        (ABC, None, ABC, {}, 3, ["ana", "bob", "cy"], "cy"),
        # starts after the pointer and wraps
        (ABC, "bob", ABC, {}, 3, ["cy", "ana", "bob"], "bob"),
        (ABC, "cy", ABC, {}, 2, ["ana", "bob"], "bob"),
        # an offline member is skipped
        (ABC, None, ("ana", "cy"), {}, 3, ["ana", "cy", "ana"], "ana"),
        # a full member is skipped; the others fill to capacity, then threads wait
        (ABC, None, ABC, {"bob": 3}, 5, ["ana", "cy", "ana", "cy", "ana"], "ana"),
        (ABC, None, ABC, {"ana": 2, "bob": 3, "cy": 3}, 2, ["ana", None], "ana"),
        # a pointer that left the team keeps its place in the order
        (("ana", "cy"), "bob", ABC, {}, 2, ["cy", "ana"], "ana"),
        # nobody online
        (ABC, "ana", (), {}, 1, [None], "ana"),
    ],
)
def test_round_robin(
    members: tuple[str, ...],
    pointer: str | None,
    online: tuple[str, ...],
    loads: dict[str, int],
    count: int,
    want: list[str | None],
    pointer_after: str,
) -> None:
    team = dom.Team("t1", "Support", members, pointer)
    floor = dom.Floor(frozenset(online), dict(loads), CAP3)
    picks, after = dom.place(team, floor, count)
    assert [p.assignee for p in picks] == want
    assert after.pointer == pointer_after
    assert all(p.reason == dom.ROUND_ROBIN for p in picks if p.assignee)


def test_deterministic() -> None:
    team = dom.Team("t1", "Support", ("cy", "ana", "bob"), "ana")
    runs = [dom.place(team, dom.Floor(frozenset(ABC), {"cy": 1}, CAP3), 4) for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]


@pytest.mark.parametrize(
    ("members", "online", "loads", "reason", "words"),
    [
        ((), ABC, {}, dom.NO_MEMBERS, ["no members"]),
        (ABC, (), {}, dom.NO_AGENT_ONLINE, ["ana (offline)", "no agent online"]),
        (ABC, ("bob",), {"bob": 3}, dom.ALL_AT_CAPACITY, ["bob (3/3 full)", "at capacity"]),
    ],
)
def test_waiting_is_explained(
    members: tuple[str, ...],
    online: tuple[str, ...],
    loads: dict[str, int],
    reason: str,
    words: list[str],
) -> None:
    chosen = dom.pick(dom.Team("t1", "Support", members), dom.Floor(frozenset(online), loads, CAP3))
    assert chosen.assignee is None and chosen.reason == reason
    assert "team Support" in chosen.explanation
    assert all(w in chosen.explanation for w in words), chosen.explanation


def test_pick_names_team_candidates_and_loads() -> None:
    floor = dom.Floor(frozenset({"ana", "cy"}), {"ana": 3, "cy": 1}, CAP3)
    chosen = dom.pick(dom.Team("t1", "Billing", ABC, "ana"), floor, dom.AGENT_OFFLINE)
    assert chosen.assignee == "cy" and chosen.reason == dom.AGENT_OFFLINE
    assert chosen.explanation == (
        "team Billing: candidates bob (offline), cy (1/3), ana (3/3 full); "
        "round robin after ana -> cy"
    )


def test_explanations_show_agents_by_name() -> None:
    names = {"ana": "Ana", "bob": "Bob", "cy": "Cy"}
    floor = dom.Floor(frozenset({"ana", "cy"}), {"ana": 3, "cy": 1}, CAP3, names)
    chosen = dom.pick(dom.Team("t1", "Billing", ABC, "ana"), floor)
    assert chosen.assignee == "cy"  # still the id: names are only for people to read
    assert chosen.explanation == (
        "team Billing: candidates Bob (offline), Cy (1/3), Ana (3/3 full); "
        "round robin after Ana -> Cy"
    )


@pytest.mark.parametrize(
    ("kind", "account", "want"),
    [
        ("email", "support@x", "b-exact"),  # an exact account wins over "*"
        ("email", "sales@x", "a-any"),  # "*": the smaller team id first
        ("whatsapp", "123", None),  # nobody takes it
    ],
)
def test_team_for(kind: str, account: str, want: str | None) -> None:
    inboxes = [
        ("c-any", "email", "*"),
        ("a-any", "email", "*"),
        ("b-exact", "email", "support@x"),
        ("d", "sms", "*"),
    ]
    assert routing.team_for(routing.Needs(kind), account, inboxes, {}) == want


@pytest.mark.parametrize(
    ("last_seen", "now", "gone"),
    [(None, 100.0, True), (0.0, 100.0, True), (0.0, 90.0, False), (50.0, 100.0, False)],
)
def test_offline_past_grace(last_seen: float | None, now: float, gone: bool) -> None:
    assert dom.offline_past_grace(last_seen, now, online_s=60, grace_s=30) is gone
