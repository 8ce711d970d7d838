"""Who gets a waiting conversation: round robin over a team's members, only to agents who are
online and below their concurrent capacity. Pure and deterministic: the same inputs (members,
who is online, loads, capacities, the team's pointer) give the same picks, each explained.

The rotation is the members in agent-id order, starting after the pointer (the agent given the
previous thread; a pointer that left the team still marks its place in that order). A member is
skipped when offline or full; when every member is skipped the thread waits, with the reason.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

ROUND_ROBIN = "auto.round_robin"
AGENT_OFFLINE = "agent_offline"
# why a thread waits
NO_MEMBERS = "no_members"
NO_AGENT_ONLINE = "no_agent_online"
ALL_AT_CAPACITY = "all_at_capacity"


@dataclass(frozen=True)
class Team:
    team_id: str
    name: str
    members: tuple[str, ...]
    pointer: str | None = None  # the member given the last thread


@dataclass
class Floor:
    """What the team's agents look like now: who is online, how many open threads each holds
    and how many they may hold, and what they are called (explanations are read by people;
    an agent without a name shows as its id). Updated as picks are made within one round."""

    online: frozenset[str]
    loads: dict[str, int] = field(default_factory=dict)
    capacities: Mapping[str, int] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)

    def name(self, agent: str) -> str:
        return self.names.get(agent, agent)

    def free(self, agent: str) -> bool:
        return self.loads.get(agent, 0) < self.capacities.get(agent, 0)


@dataclass(frozen=True)
class Pick:
    assignee: str | None  # None: the thread waits
    reason: str  # ROUND_ROBIN (or the caller's, e.g. AGENT_OFFLINE) | why it waits
    explanation: str


def rotation(members: Sequence[str], pointer: str | None) -> list[str]:
    """The members in the order the next thread tries them: after the pointer, wrapping."""
    order = sorted(set(members))
    start = 0 if pointer is None else bisect.bisect_right(order, pointer)
    return order[start:] + order[:start]


def _state(agent: str, floor: Floor) -> str:
    if agent not in floor.online:
        return f"{floor.name(agent)} (offline)"
    load, cap = floor.loads.get(agent, 0), floor.capacities.get(agent, 0)
    return f"{floor.name(agent)} ({load}/{cap}{' full' if load >= cap else ''})"


def pick(team: Team, floor: Floor, reason: str = ROUND_ROBIN) -> Pick:
    """The next agent of ``team`` for one thread (``floor`` is not changed: see ``place``)."""
    order = rotation(team.members, team.pointer)
    seen = ", ".join(_state(a, floor) for a in order) or "nobody"
    head = f"team {team.name}: candidates {seen}"
    chosen = next((a for a in order if a in floor.online and floor.free(a)), None)
    if chosen is not None:
        after = f"after {floor.name(team.pointer)}" if team.pointer else "from the start"
        return Pick(chosen, reason, f"{head}; round robin {after} -> {floor.name(chosen)}")
    if not order:
        return Pick(None, NO_MEMBERS, f"{head}; the team has no members")
    if not floor.online.intersection(order):
        return Pick(None, NO_AGENT_ONLINE, f"{head}; no agent online, the thread waits")
    return Pick(None, ALL_AT_CAPACITY, f"{head}; every online agent is at capacity, it waits")


def place(
    team: Team, floor: Floor, count: int, reason: str = ROUND_ROBIN
) -> tuple[list[Pick], Team]:
    """Picks for ``count`` threads in turn: each pick adds to its agent's load and moves the
    pointer. Returns the picks and the team with its new pointer."""
    picks: list[Pick] = []
    for _ in range(count):
        chosen = pick(team, floor, reason)
        picks.append(chosen)
        if chosen.assignee is not None:
            floor.loads[chosen.assignee] = floor.loads.get(chosen.assignee, 0) + 1
            team = Team(team.team_id, team.name, team.members, chosen.assignee)
    return picks, team


def team_for(kind: str, account: str, inboxes: Sequence[tuple[str, str, str]]) -> str | None:
    """The team that takes a thread of ``kind``/``account``: ``inboxes`` are (team id, kind,
    account or "*"); an exact account wins over "*", then the smaller team id."""
    exact = sorted(t for t, k, a in inboxes if k == kind and a == account)
    anyone = sorted(t for t, k, a in inboxes if k == kind and a == "*")
    found = exact or anyone
    return found[0] if found else None


def offline_past_grace(
    last_seen: float | None, now: float, online_s: float, grace_s: float
) -> bool:
    """An agent not seen for ``online_s`` is offline; ``grace_s`` later their threads move."""
    return last_seen is None or now - last_seen > online_s + grace_s
