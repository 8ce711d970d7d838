"""SLA policies as written (the policies file, the admin API, a cycle's stored copy) and the
:class:`~unifier.domain.sla.Policy` each one is. Durations as ``hotline sla due`` reads them
(``8h``, ``1h30m``; ``d`` only for calendar hours)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, Literal

import msgspec

from hotline.calendars.durations import parse_duration
from hotline.calendars.week import CalendarError
from unifier.domain.sla import TARGETS, BadPolicy, Match, Policy

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")


class EscalationSpec(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Where a warning of the policy escalates (else the conversation's team's routing says)."""

    team_id: str | None = None
    supervisor: str | None = None


class PolicySpec(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    name: str
    first_response: str | None = None
    next_response: str | None = None
    resolution: str | None = None
    hours: Literal["business", "calendar"] = "business"
    warn_at: float = 0.8
    priorities: list[str] = []
    channel_kinds: list[str] = []
    labels: list[str] = []
    teams: list[str] = []
    escalation: EscalationSpec | None = None


def spec_of(raw: Any) -> PolicySpec:
    """A policy's spec from decoded JSON/TOML, checked (``BadPolicy`` says what is wrong)."""
    try:
        spec = msgspec.convert(raw, PolicySpec)
    except msgspec.ValidationError as exc:
        raise BadPolicy(f"policy: {exc}") from None
    if not NAME.match(spec.name):
        raise BadPolicy(f"policy {spec.name!r}: a name of letters, digits and _.:- (<= 64)")
    policy_of(spec)
    return spec


def policy_of(spec: PolicySpec) -> Policy:
    match = Match(
        frozenset(spec.priorities),
        frozenset(spec.channel_kinds),
        frozenset(spec.labels),
        frozenset(spec.teams),
    )
    budgets = {t: _duration(spec, t) for t in TARGETS}
    return Policy(spec.name, **budgets, hours=spec.hours, warn_at=spec.warn_at, match=match)


def _duration(spec: PolicySpec, target: str) -> timedelta | None:
    text = getattr(spec, target)
    if text is None:
        return None
    try:
        return parse_duration(text, days=spec.hours == "calendar")
    except CalendarError as exc:
        raise BadPolicy(f"{spec.name}: {target}: {exc}") from None


def encode(spec: PolicySpec) -> str:
    return msgspec.json.encode(spec).decode()


def decode(text: str) -> PolicySpec:
    return msgspec.json.decode(text, type=PolicySpec)


def as_json(spec: PolicySpec) -> dict[str, Any]:
    out: dict[str, Any] = msgspec.to_builtins(spec)
    return out


def seconds(budget: timedelta | None) -> int:
    return 0 if budget is None else int(budget.total_seconds())
