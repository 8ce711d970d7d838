"""Who gets a waiting conversation: round robin over a team's members who cover its needs
(skills, ``unifier.domain.routing``), are online, within their working hours and below their
concurrent capacity (in total and for its channel kind). Pure and deterministic: the same
inputs (members, skills, who is online and on shift, loads, capacities, the team's pointer)
give the same picks, each explained.

The rotation is the members in agent-id order, starting after the pointer (the agent given the
previous thread; a pointer that left the team still marks its place in that order). A member is
skipped when lacking a skill, offline, off shift or full; among the rest the members that name
more of the needs explicitly go first. When every member is skipped the thread waits, with the
reason: the first filter that left nobody.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from unifier.domain.routing import ANY, Needs, Skills

ROUND_ROBIN = "auto.round_robin"
AGENT_OFFLINE = "agent_offline"
# why a thread waits
NO_MEMBERS = "no_members"
NO_SKILL_MATCH = "no_skill_match"
NO_AGENT_ONLINE = "no_agent_online"
OUTSIDE_HOURS = "outside_hours"
ALL_AT_CAPACITY = "all_at_capacity"


@dataclass(frozen=True)
class Team:
    team_id: str
    name: str
    members: tuple[str, ...]
    pointer: str | None = None  # the member given the last thread


@dataclass
class Floor:
    """What the team's agents look like now: who is online and within working hours (None:
    everyone online is), their skills, how many open threads each holds in total and per
    channel kind and how many they may hold, and what they are called (explanations are read
    by people; an agent without a name shows as its id). Loads change as picks are made within
    one round."""

    online: frozenset[str]
    loads: dict[str, int] = field(default_factory=dict)
    capacities: Mapping[str, int] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)
    skills: Mapping[str, Skills] = field(default_factory=dict)
    limits: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # agent: kind: limit
    kind_loads: dict[tuple[str, str], int] = field(default_factory=dict)  # (agent, kind)
    on_shift: frozenset[str] | None = None

    def name(self, agent: str) -> str:
        return self.names.get(agent, agent)

    def free(self, agent: str, kind: str = "") -> bool:
        limit = self.limits.get(agent, {}).get(kind)
        kind_free = limit is None or self.kind_loads.get((agent, kind), 0) < limit
        return self.loads.get(agent, 0) < self.capacities.get(agent, 0) and kind_free

    def working(self, agent: str) -> bool:
        return self.on_shift is None or agent in self.on_shift

    def take(self, agent: str, kind: str) -> None:
        self.loads[agent] = self.loads.get(agent, 0) + 1
        self.kind_loads[(agent, kind)] = self.kind_loads.get((agent, kind), 0) + 1

    def skill(self, agent: str) -> Skills:
        return self.skills.get(agent, ANY)


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


def _state(agent: str, floor: Floor, needs: Needs) -> str:
    name = floor.name(agent)
    if not floor.skill(agent).covers(needs):
        return f"{name} (no skill)"
    if agent not in floor.online:
        return f"{name} (offline)"
    if not floor.working(agent):
        return f"{name} (off shift)"
    load, cap = floor.loads.get(agent, 0), floor.capacities.get(agent, 0)
    shown = f"{load}/{cap}"
    limit = floor.limits.get(agent, {}).get(needs.channel)
    if limit is not None:
        shown += f", {needs.channel} {floor.kind_loads.get((agent, needs.channel), 0)}/{limit}"
    return f"{name} ({shown}{'' if floor.free(agent, needs.channel) else ' full'})"


NOBODY = Needs("")


def _filters(order: list[str], floor: Floor, needs: Needs) -> list[tuple[str, list[str]]]:
    """Each filter with the members left after it, in the order they apply."""
    skilled = [a for a in order if floor.skill(a).covers(needs)]
    online = [a for a in skilled if a in floor.online]
    working = [a for a in online if floor.working(a)]
    free = [a for a in working if floor.free(a, needs.channel)]
    return [
        (NO_SKILL_MATCH, skilled),
        (NO_AGENT_ONLINE, online),
        (OUTSIDE_HOURS, working),
        (ALL_AT_CAPACITY, free),
    ]


_WAITS = {
    NO_SKILL_MATCH: "no member covers the needs",
    NO_AGENT_ONLINE: "no agent online",
    OUTSIDE_HOURS: "every online agent is outside working hours",
    ALL_AT_CAPACITY: "every online agent is at capacity",
}


def pick(team: Team, floor: Floor, reason: str = ROUND_ROBIN, needs: Needs = NOBODY) -> Pick:
    """The next agent of ``team`` for one thread (``floor`` is not changed: see ``place``)."""
    order = rotation(team.members, team.pointer)
    seen = ", ".join(_state(a, floor, needs) for a in order) or "nobody"
    head = f"team {team.name}: " + (f"needs {needs}; " if needs.channel else "")
    head += f"candidates {seen}"
    if not order:
        return Pick(None, NO_MEMBERS, f"{head}; the team has no members")
    filters = _filters(order, floor, needs)
    free = filters[-1][1]
    if free:
        best = max(floor.skill(a).matched(needs) for a in free)
        chosen = next(a for a in free if floor.skill(a).matched(needs) == best)
        after = f"after {floor.name(team.pointer)}" if team.pointer else "from the start"
        fit = f" (best skill fit {best})" if best else ""
        return Pick(chosen, reason, f"{head}; round robin {after}{fit} -> {floor.name(chosen)}")
    why = next(code for code, left in filters if not left)
    return Pick(None, why, f"{head}; {_WAITS[why]}, the thread waits")


def place(
    team: Team, floor: Floor, count: int, reason: str = ROUND_ROBIN, needs: Needs = NOBODY
) -> tuple[list[Pick], Team]:
    """Picks for ``count`` threads in turn: each pick adds to its agent's load and moves the
    pointer. Returns the picks and the team with its new pointer."""
    picks: list[Pick] = []
    for _ in range(count):
        chosen = pick(team, floor, reason, needs)
        picks.append(chosen)
        if chosen.assignee is not None:
            floor.take(chosen.assignee, needs.channel)
            team = Team(team.team_id, team.name, team.members, chosen.assignee)
    return picks, team


def offline_past_grace(
    last_seen: float | None, now: float, online_s: float, grace_s: float
) -> bool:
    """An agent not seen for ``online_s`` is offline; ``grace_s`` later their threads move."""
    return last_seen is None or now - last_seen > online_s + grace_s
