"""Slack interactivity for satisfaction surveys (pure): the survey as Block Kit buttons, and a
tap (``block_actions``, POSTed form-encoded as ``payload=<json>`` to ``/slack/interactions``,
signed like the Events API) back into a message.received.v1 carrying the button's value (our
survey reply id). Taps on other buttons are acknowledged and dropped."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from urllib.parse import parse_qs

import msgspec

from chat_gateway.slack.normalize import slack_time
from chat_gateway.slack.pipeline import Workspace
from chat_gateway.slack.verify import signed_by
from hotline import events as ev
from hotline.http import Rejected

PATH = "/slack/interactions"
BUTTONS_MAX = 25  # elements of one actions block


def blocks_of(survey: ev.SurveyAsk, text: str) -> list[dict[str, object]]:
    """The question as a section, the choices as one actions block of buttons."""
    buttons = [
        {
            "type": "button",
            "text": {"type": "plain_text", "text": c.title, "emoji": True},
            "value": c.reply_id,
            "action_id": c.reply_id,
        }
        for c in survey.choices[:BUTTONS_MAX]
    ]
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {"type": "actions", "block_id": f"csat:{survey.survey_id}", "elements": buttons},
    ]


class _Id(msgspec.Struct, forbid_unknown_fields=False):
    id: str


class _User(_Id, forbid_unknown_fields=False):
    team_id: str | None = None
    name: str | None = None


class _Text(msgspec.Struct, forbid_unknown_fields=False):
    text: str = ""


class Action(msgspec.Struct, forbid_unknown_fields=False):
    action_ts: str
    value: str = ""
    text: _Text = msgspec.field(default_factory=_Text)


class BlockActions(msgspec.Struct, forbid_unknown_fields=False, tag="block_actions"):
    team: _Id
    user: _User
    channel: _Id
    actions: list[Action] = []


class OtherInteraction(msgspec.Struct, forbid_unknown_fields=False):
    type: str


def parse(body: bytes) -> BlockActions | None:
    """The form's ``payload`` as block actions; None for other interaction types."""
    try:
        form = parse_qs(body.decode(), strict_parsing=True)
        raw = form["payload"][0].encode()
        kind = msgspec.json.decode(raw, type=OtherInteraction).type
        return msgspec.json.decode(raw, type=BlockActions) if kind == "block_actions" else None
    except msgspec.ValidationError as exc:  # a ValueError too: caught first
        raise Rejected(422, "schema_mismatch", str(exc)) from None
    except (UnicodeDecodeError, ValueError, KeyError):
        raise Rejected(400, "malformed", "expected a form with a JSON payload") from None


def survey_taps(tap: BlockActions, tenant: str, received_at: datetime) -> list[ev.Event]:
    """One message per tap on a survey button of ours; other buttons are no message."""
    home = tap.user.team_id or tap.team.id
    who = ev.identifier("slack_user", f"{home}:{tap.user.id}", "provider_verified")
    sender = ev.Sender(handle=tap.channel.id, display_name=tap.user.name, identifiers=[who])
    out: list[ev.Event] = []
    for a in tap.actions:
        if ev.survey_answer(a.value) is None:
            continue
        pid = f"{tap.channel.id}:action:{a.action_ts}"
        out.append(
            ev.MessageReceived(
                event_id=ev.event_id_for(tenant, "slack", pid),
                tenant=tenant,
                channel=ev.ChannelRef(kind="slack", account_id=tap.team.id),
                provider_message_id=pid,
                received_at=received_at,
                conversation_key=f"slack:{tap.team.id}:{tap.channel.id}",
                provider_timestamp=slack_time(a.action_ts),
                sender=sender,
                content=ev.InteractiveContent(reply_id=a.value, title=a.text.text),
                thread=ev.ThreadHints(provider_conversation_id=tap.channel.id),
            )
        )
    return out


def interaction_events(
    headers: Mapping[str, str],
    body: bytes,
    workspaces: Mapping[str, Workspace],
    now: float,
    received_at: datetime,
) -> list[ev.Event]:
    """Verify with the named workspace's signing secrets (404: not ours), then the taps."""
    tap = parse(body)
    if tap is None:
        return []
    ws = workspaces.get(tap.team.id)
    if ws is None:
        raise Rejected(404, "unknown_team", f"no Slack workspace {tap.team.id!r} here")
    signed_by(headers, body, {tap.team.id: ws.signing_secrets}, now)
    return survey_taps(tap, ws.tenant, received_at)
