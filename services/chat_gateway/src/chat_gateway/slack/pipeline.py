"""verify -> parse -> normalize for one Slack request, as one pure function the edge calls."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from chat_gateway.slack import normalize as norm
from chat_gateway.slack.files import FileRef, files_of
from chat_gateway.slack.parse import EventCallback, UrlVerification, parse, parse_event
from chat_gateway.slack.verify import verify
from hotline import events as ev
from hotline.http import Rejected
from hotline.kafka import PermanentError


@dataclass(frozen=True)
class Workspace:
    """What the pure layer needs to know about one Slack workspace (tenant)."""

    signing_secret: str
    bot_user_id: str | None = None
    app_id: str | None = None


@dataclass(frozen=True)
class Challenge:
    challenge: str


@dataclass(frozen=True)
class Publish:
    events: list[ev.Event]
    files: list[FileRef] = field(default_factory=list)  # what the edge may copy to the blob store


@dataclass(frozen=True)
class Poison:
    """Verified and parsed, but it cannot be normalized: dead-letter the original bytes."""

    reason: str
    detail: str


Outcome = Challenge | Publish | Poison


def process(
    headers: Mapping[str, str],
    body: bytes,
    workspaces: Mapping[str, Workspace],
    now: float,
    received_at: datetime,
) -> Outcome:
    secrets = {team: ws.signing_secret for team, ws in workspaces.items()}
    teams = verify(headers, body, secrets, now)
    return process_verified(body, teams, workspaces, received_at)


def process_verified(
    body: bytes, teams: Collection[str], workspaces: Mapping[str, Workspace], received_at: datetime
) -> Outcome:
    """After verification (HTTP signature, or the Socket Mode connection of one Slack app)."""
    envelope = parse(body)
    if isinstance(envelope, UrlVerification):
        return Challenge(envelope.challenge)
    if not isinstance(envelope, EventCallback):
        return Publish([])
    if envelope.team_id not in teams:
        raise Rejected(401, "team_mismatch", "signed with another workspace's secret")
    inner = parse_event(envelope)
    try:
        events = norm.normalize(envelope, inner, context(workspaces, envelope, received_at))
    except PermanentError as exc:
        return Poison(exc.reason, exc.detail)
    return Publish(events, files_of(inner) if events else [])


def context(
    workspaces: Mapping[str, Workspace], envelope: EventCallback, received_at: datetime
) -> norm.Context:
    ws = workspaces[envelope.team_id]
    bots = frozenset({ws.bot_user_id} if ws.bot_user_id else ())
    apps = frozenset({ws.app_id} if ws.app_id else ())
    return norm.Context(received_at=received_at, own_bot_users=bots, own_apps=apps)


def normalize_stored(body: bytes) -> list[ev.Event]:
    """For ``hotline normalize slack FILE``: a stored (already verified) Events API body."""
    try:
        envelope = parse(body)
        inner = parse_event(envelope) if isinstance(envelope, EventCallback) else None
    except Rejected as exc:
        raise PermanentError(exc.reason, exc.detail) from exc
    if not isinstance(envelope, EventCallback) or inner is None:
        return []
    received_at = norm.slack_time(str(envelope.event_time))
    return norm.normalize(envelope, inner, norm.Context(received_at=received_at))
