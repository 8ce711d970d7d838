"""verify -> parse -> normalize for one Slack request, as one pure function the edge calls.

Input that is verified and parsed but cannot be normalized raises ``PermanentError``: the edge
hands its bytes to the intake as poison (``hotline.intake.intake.poison_of``)."""

from __future__ import annotations

from collections.abc import Collection, Container, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from chat_gateway.slack import normalize as norm
from chat_gateway.slack.files import FileRef, files_of
from chat_gateway.slack.parse import (
    EventCallback,
    InnerEvent,
    UrlVerification,
    parse,
    parse_event,
    team_of,
)
from chat_gateway.slack.profile import Profile
from chat_gateway.slack.verify import signed_by
from hotline import events as ev
from hotline.http import Rejected
from hotline.kafka import PermanentError
from hotline.settings import ServiceSettings


@dataclass(frozen=True)
class Workspace:
    """What the pure layer needs to know about one Slack workspace (tenant)."""

    signing_secrets: tuple[str, ...]  # every valid value, newest first (rotation: two)
    bot_user_id: str | None = None
    app_id: str | None = None
    tenant: str = "default"  # from configuration (HOTLINE_TENANTS), never the team id
    trusted: bool = False  # profile emails of its own members are provider_verified


@dataclass(frozen=True)
class Parsed:
    """A verified event callback, parsed, before normalization (profiles are looked up here)."""

    envelope: EventCallback
    inner: InnerEvent


@dataclass(frozen=True)
class Challenge:
    challenge: str


@dataclass(frozen=True)
class Normalized:
    """The events to publish (none for ignored input: bots, joins, other envelope types)."""

    events: list[ev.Event]
    files: list[FileRef] = field(default_factory=list)  # what the edge may copy to the blob store


Step = Challenge | Normalized | Parsed


NO_PROFILES: Mapping[str, Profile] = {}


def process(
    headers: Mapping[str, str],
    body: bytes,
    workspaces: Mapping[str, Workspace],
    now: float,
    received_at: datetime,
    profiles: Mapping[str, Profile] = NO_PROFILES,
) -> Challenge | Normalized:
    step = parse_signed(headers, body, workspaces, now)
    return finish(step, workspaces, received_at, profiles) if isinstance(step, Parsed) else step


def parse_signed(
    headers: Mapping[str, str], body: bytes, workspaces: Mapping[str, Workspace], now: float
) -> Step:
    """A body naming a team is checked with that workspace's secrets only (404 when it is not
    ours); one naming none (url_verification) must be signed by one of our workspaces."""
    team = team_of(body)
    if team is None:
        candidates = {t: ws.signing_secrets for t, ws in workspaces.items()}
    else:
        ws = workspaces.get(team)
        if ws is None:
            raise Rejected(404, "unknown_team", f"no Slack workspace {team!r} here")
        candidates = {team: ws.signing_secrets}
    return parse_verified(body, signed_by(headers, body, candidates, now))


def parse_verified(body: bytes, teams: Collection[str]) -> Step:
    """After verification (HTTP signature, or the Socket Mode connection of one Slack app)."""
    envelope = parse(body)
    if isinstance(envelope, UrlVerification):
        return Challenge(envelope.challenge)
    if not isinstance(envelope, EventCallback):
        return Normalized([])
    if envelope.team_id not in teams:
        raise Rejected(401, "team_mismatch", "signed with another workspace's secret")
    return Parsed(envelope, parse_event(envelope))


def finish(
    parsed: Parsed,
    workspaces: Mapping[str, Workspace],
    received_at: datetime,
    profiles: Mapping[str, Profile] = NO_PROFILES,
) -> Normalized:
    """Normalize with the senders' profiles (by user id) that the caller looked up; raises
    ``PermanentError`` when the event cannot be normalized."""
    ctx = context(workspaces, parsed.envelope, received_at, profiles)
    events = norm.normalize(parsed.envelope, parsed.inner, ctx)
    return Normalized(events, files_of(parsed.inner) if events else [])


def senders(normalized: Normalized) -> list[str]:
    """The Slack user ids whose messages are published: whose profiles are worth a look."""
    found: list[ev.Sender] = []
    for e in normalized.events:
        who = getattr(e, "sender", None)
        if isinstance(who, ev.Sender):
            found.append(who)
    ids = [i.value for s in found for i in s.identifiers if i.kind == "slack_user"]
    return list(dict.fromkeys(v.split(":", 1)[1] for v in ids))


def context(
    workspaces: Mapping[str, Workspace],
    envelope: EventCallback,
    received_at: datetime,
    profiles: Mapping[str, Profile] = NO_PROFILES,
) -> norm.Context:
    ws = workspaces[envelope.team_id]
    return norm.Context(
        received_at=received_at,
        tenant=ws.tenant,
        own_bot_users=frozenset({ws.bot_user_id} if ws.bot_user_id else ()),
        own_apps=frozenset({ws.app_id} if ws.app_id else ()),
        trusted_teams=TrustedTeams(workspaces),
        profiles=profiles,
    )


class TrustedTeams(Container[str]):
    """The workspaces configured ``trusted``, asked one home team at a time (a lookup in the
    registry, not a walk over every account)."""

    def __init__(self, workspaces: Mapping[str, Workspace]) -> None:
        self.workspaces = workspaces

    def __contains__(self, team: object) -> bool:
        found = self.workspaces.get(team) if isinstance(team, str) else None
        return found is not None and found.trusted


def normalize_stored(body: bytes) -> list[ev.Event]:
    """For ``hotline normalize slack FILE``: a stored (already verified) Events API body, in
    the tenant ``HOTLINE_TENANTS`` gives its workspace (no profiles: nothing is fetched)."""
    try:
        envelope = parse(body)
        inner = parse_event(envelope) if isinstance(envelope, EventCallback) else None
    except Rejected as exc:
        raise PermanentError(exc.reason, exc.detail) from exc
    if not isinstance(envelope, EventCallback) or inner is None:
        return []
    tenant = ServiceSettings().tenancy().tenant_for("slack", envelope.team_id)
    received_at = norm.slack_time(str(envelope.event_time))
    return norm.normalize(envelope, inner, norm.Context(received_at=received_at, tenant=tenant))
