"""Asking for a rating when a conversation is resolved: one survey per resolution, on the
channel the customer last used, as a reply the channel renders natively (``SurveyAsk``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import events as ev
from hotline import unified as un
from hotline.topics import replies_topic_for
from unifier.domain import surveys as dom
from unifier.service.outbound import add_outbound
from unifier.service.replies import reply_content, thread_hints
from unifier.service.survey_links import SurveyLinks
from unifier.store import channel_rows, reply_rows, survey_rows
from unifier.store.reply_rows import Answered
from unifier.store.write import write_outbox

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SurveyPolicy:
    """The deployment's survey settings: defaults, per channel kind, and the link signer."""

    links: SurveyLinks | None  # None: no link secret, so no survey by email
    base: dom.SurveyConfig = field(default_factory=dom.SurveyConfig)
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)

    async def config(self, conn: AsyncConnection, tenant: str, to: Answered) -> dom.SurveyConfig:
        account = await channel_rows.one(conn, tenant, to.channel_kind, to.account_id)
        own = (account or {}).get("settings", {}).get("csat")
        return dom.config_for(self.base, to.channel_kind, self.channels, own)


@dataclass(frozen=True)
class Asking:
    tenant: str
    thread_id: str
    agent: str
    at: datetime


async def ask(conn: AsyncConnection, policy: SurveyPolicy, a: Asking) -> un.CsatRequested | None:
    """The survey for this resolution, if the thread's inbox asks and a customer can be reached;
    earlier surveys of the thread still open expire now."""
    to = await reply_rows.answered(conn, a.tenant, a.thread_id, None)
    if to is None:
        return None
    try:
        config = await policy.config(conn, a.tenant, to)
    except dom.BadSurveyConfig as exc:
        log.warning("survey not sent: %s", exc, extra={"tenant": a.tenant})
        return None
    if not config.enabled or (to.channel_kind == "email" and policy.links is None):
        return None
    await survey_rows.end_open(conn, a.tenant, a.thread_id, a.at)
    cycle = await survey_rows.resolutions(conn, a.tenant, a.thread_id)
    survey_id = un.unified_event_id(a.tenant, a.thread_id, "csat", str(cycle))
    request = _request(a, to, config, survey_id, policy.links)
    await _send(conn, request, to)
    return await _record(conn, a, request, cycle)


def _request(
    a: Asking, to: Answered, config: dom.SurveyConfig, survey_id: str, links: SurveyLinks | None
) -> ev.ReplyRequested:
    expires_at = dom.expiry(config, a.at)
    link = links.link(a.tenant, survey_id, expires_at) if links is not None else ""
    hints = ev.decode(to.payload)
    assert isinstance(hints, ev.MessageReceived)
    reply_id = un.unified_event_id(a.tenant, survey_id, "csat.reply")
    channel = ev.ChannelRef(kind=to.channel_kind, account_id=to.account_id)
    survey = ev.SurveyAsk(
        survey_id=survey_id,
        question=config.question,
        scale=config.scale,
        choices=dom.choices(survey_id, config.scale),
        link=link if to.channel_kind == "email" else None,
        expires_at=expires_at,
    )
    return ev.ReplyRequested(
        event_id=ev.event_id_for(a.tenant, channel.kind, reply_id, "reply"),
        reply_id=reply_id,
        tenant=a.tenant,
        channel=channel,
        conversation_id=a.thread_id,
        recipient=to.sender_handle,
        content=reply_content(hints, dom.ask_text(config, to.channel_kind, link)),
        requested_at=a.at,
        requested_by=a.agent,
        thread=thread_hints(hints, a.thread_id),
        survey=survey,
    )


async def _send(conn: AsyncConnection, request: ev.ReplyRequested, to: Answered) -> None:
    """The survey as an outbound message of the thread, its status followed like a reply's."""
    content = request.content
    text = content.text if isinstance(content, ev.TextContent | ev.EmailContent) else ""
    answer = {"reply_id": request.reply_id, "channel": to.channel_kind, "survey": True}
    await reply_rows.add_request(
        conn,
        {
            "tenant": request.tenant,
            "idempotency_key": f"csat:{request.reply_id}",
            "reply_id": request.reply_id,
            "conversation_id": request.conversation_id,
            "created_at": request.requested_at,
            "status": "requested",
            "response": answer,
        },
    )
    await add_outbound(conn, request, text)
    await reply_rows.queue_request(conn, replies_topic_for(to.channel_kind), request)


async def _record(
    conn: AsyncConnection, a: Asking, request: ev.ReplyRequested, cycle: int
) -> un.CsatRequested:
    survey = request.survey
    assert survey is not None and survey.expires_at is not None
    await survey_rows.add(
        conn,
        {
            "tenant": a.tenant,
            "survey_id": survey.survey_id,
            "thread_id": a.thread_id,
            "cycle": cycle,
            "channel_kind": request.channel.kind,
            "account_id": request.channel.account_id,
            "recipient": request.recipient,
            "agent": a.agent,
            "reply_id": request.reply_id,
            "scale": survey.scale,
            "asked_at": a.at,
            "expires_at": survey.expires_at,
        },
    )
    event = un.CsatRequested(
        event_id=un.unified_event_id(a.tenant, survey.survey_id, "csat.requested"),
        tenant=a.tenant,
        occurred_at=a.at,
        conversation_id=a.thread_id,
        survey_id=survey.survey_id,
        cycle=cycle,
        channel=request.channel,
        recipient=request.recipient,
        agent=a.agent,
        scale=survey.scale,
        expires_at=survey.expires_at,
        reply_id=request.reply_id,
    )
    await write_outbox(conn, [event])
    return event
