"""What the operations report groups and filters by: a conversation's (or missed call's)
channel kind, team and agent, and the hour, weekday or day of its opening in the window's zone.

- **team**: the team whose inbox took the conversation — the channel kind and the account its
  first message came in on, matched as SLA policies match teams (routing's
  :func:`unifier.domain.routing.team_for` without skills: an exact account before "*", then
  the smaller team id); "(no team)" when no inbox matches.
- **agent**: the assignee, else the agent who replied first; "(unassigned)" when neither.
- **hour** "00"–"23", **weekday** "Mon"–"Sun", **day** the local date: all shown, empty or not;
  what opened before the window (the backlog it carries in) is "(before)".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, get_args

from unifier.domain.ops_window import Window
from unifier.domain.routing import needs_of, team_for

Group = Literal["channel", "team", "agent", "hour", "weekday", "day"]
GROUPS: tuple[Group, ...] = get_args(Group)
Inboxes = Sequence[tuple[str, str, str]]  # (team id, channel kind, account or "*")
UNASSIGNED = "(unassigned)"
NO_TEAM = "(no team)"
BEFORE = "(before)"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Where:
    """Where an item belongs: its channel kind, inbox account, agent and moment."""

    channel: str
    account: str
    agent: str | None
    at: datetime


@dataclass(frozen=True)
class Filter:
    """Only the items of this channel kind, team and agent (None: any)."""

    channel: str | None = None
    team: str | None = None
    agent: str | None = None


def dimensions(item: Where, inboxes: Inboxes) -> tuple[str, str, str]:
    """The item's channel kind, team and agent keys."""
    team = team_for(needs_of(item.channel, None, None), item.account, inboxes, {}) or NO_TEAM
    return item.channel, team, item.agent or UNASSIGNED


def passes(item: Where, inboxes: Inboxes, f: Filter) -> bool:
    wanted = (f.channel, f.team, f.agent)
    return all(
        w is None or w == got for w, got in zip(wanted, dimensions(item, inboxes), strict=True)
    )


def key_of(group: Group, item: Where, w: Window, inboxes: Inboxes) -> str:
    if group in ("channel", "team", "agent"):
        return dimensions(item, inboxes)[("channel", "team", "agent").index(group)]
    if item.at < w.start:
        return BEFORE
    local = item.at.astimezone(w.tz)
    if group == "hour":
        return f"{local.hour:02d}"
    return WEEKDAYS[local.weekday()] if group == "weekday" else local.date().isoformat()


def empty_keys(group: Group, w: Window) -> list[str]:
    """The buckets shown even when empty, in their order: every hour, weekday, day."""
    if group == "hour":
        return [f"{h:02d}" for h in range(24)]
    if group == "weekday":
        return list(WEEKDAYS)
    if group != "day":
        return []
    day = w.start.astimezone(w.tz).date()
    last = (w.end - timedelta(microseconds=1)).astimezone(w.tz).date()
    days = []
    while day <= last:
        days.append(day.isoformat())
        day += timedelta(days=1)
    return days


def ordered(group: Group, keys: Sequence[str], w: Window) -> list[str]:
    """(before) first, then the empty buckets' order, then any other key, sorted."""
    fixed = empty_keys(group, w)
    early = [BEFORE] if BEFORE in keys else []
    return early + fixed + sorted(set(keys) - set(fixed) - {BEFORE})
