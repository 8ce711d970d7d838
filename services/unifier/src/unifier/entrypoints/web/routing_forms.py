"""The routing admin form's text fields, both ways: ``fr, de`` for a skill set,
``chat=3, email=10`` for limits, a timezone and one line per day (or range of days) with its
periods, ``mon-fri 09:00-12:30 13:30-17:00``, for working hours (no timezone: no hours)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from unifier.service.commands import CommandError
from unifier.store.routing_rows import AgentRouting, TeamRouting

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPLIT = re.compile(r"[\s,;]+")
_LIMIT = re.compile(r"^([a-z]+)\s*=\s*(\d{1,5})$")


@dataclass(frozen=True)
class RoutingForm:
    languages: str = ""
    categories: str = ""
    channels: str = ""
    limits: str = ""
    timezone: str = ""
    week: str = ""


def _values(text: str) -> list[str]:
    return [v for v in _SPLIT.split(text.strip().lower()) if v]


def _limits(text: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for part in (p.strip().lower() for p in text.split(",")):
        if not part:
            continue
        match = _LIMIT.match(part)
        if match is None:
            raise CommandError(422, "bad_limit", f"limit {part!r}: write it as chat=3")
        found[match.group(1)] = int(match.group(2))
    return found


def _days(spec: str) -> list[str]:
    first, _, last = spec.partition("-")
    if first not in DAYS or (last and last not in DAYS):
        raise CommandError(422, "bad_hours", f"{spec!r}: days are mon … sun, or a range mon-fri")
    start, end = DAYS.index(first), DAYS.index(last or first)
    return list(DAYS[start : end + 1])


def _week(text: str) -> dict[str, list[str]]:
    week: dict[str, list[str]] = {}
    for line in (ln.strip().lower() for ln in text.splitlines()):
        if line:
            days, *periods = line.split()
            for day in _days(days):
                week.setdefault(day, []).extend(periods)
    return week


def routing_of(agent_id: str, form: RoutingForm) -> AgentRouting:
    """The row a form asks for (checked further by ``service.routing``)."""
    skills = (_values(form.languages), _values(form.categories), _values(form.channels))
    zone = form.timezone.strip()
    hours = {"timezone": zone, "week": _week(form.week)} if zone else None
    return AgentRouting(agent_id, skills, _limits(form.limits), hours)


def form_of(row: AgentRouting | None) -> RoutingForm:
    if row is None:
        return RoutingForm()
    languages, categories, channels = row.skills
    limits = ", ".join(f"{k}={v}" for k, v in sorted(row.limits.items()))
    hours = row.hours or {}
    week = hours.get("week", {})
    lines = "\n".join(f"{d} {' '.join(week[d])}" for d in DAYS if week.get(d))
    return RoutingForm(
        ", ".join(languages), ", ".join(categories), ", ".join(channels), limits,
        str(hours.get("timezone", "")), lines,
    )  # fmt: skip


@dataclass(frozen=True)
class TeamForm:
    languages: str = ""
    categories: str = ""
    channels: str = ""
    escalate_team: str = ""  # "": none
    supervisor: str = ""


def team_routing_of(team_id: str, form: TeamForm) -> TeamRouting:
    skills = (_values(form.languages), _values(form.categories), _values(form.channels))
    return TeamRouting(team_id, skills, form.escalate_team or None, form.supervisor or None)


def team_form_of(row: TeamRouting | None) -> TeamForm:
    if row is None:
        return TeamForm()
    languages, categories, channels = (", ".join(v) for v in row.requires)
    return TeamForm(
        languages, categories, channels, row.escalate_team or "", row.escalate_agent or ""
    )
