"""Survey answers: a customer's survey button (``csat:<survey>:<score>``), a bare score while
her survey on that channel is open ("4" by SMS), or the email link's page. Each is one
``csat.answered.v1`` by the event that carried it (``unifier.domain.surveys`` says which
answer counts); an answer message is taken here and never reopens the conversation."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import events as ev
from hotline import unified as un
from unifier.domain import surveys as dom
from unifier.domain.working import UnifierInbound
from unifier.store import survey_rows
from unifier.store.survey_rows import Survey
from unifier.store.write import write_outbox

log = logging.getLogger(__name__)
Inbound = tuple[UnifierInbound, bytes]


@dataclass(frozen=True)
class Answer:
    event_id: str  # the message or page post that carried it
    score: int
    at: datetime
    comment: str | None = None


async def take_answers(
    conn: AsyncConnection, tenant: str, inbound: list[Inbound]
) -> tuple[list[Inbound], set[str]]:
    """The inbound events that are not survey answers, and the threads whose survey an
    answer among them changed (the answers are recorded)."""
    rest, threads = [], set()
    for item in inbound:
        found = await _answering(conn, tenant, item[0])
        if found is None:
            rest.append(item)
            continue
        survey, answer = found
        await record_answer(conn, tenant, survey, answer)
        threads.add(survey.thread_id)
    return rest, threads


async def _answering(
    conn: AsyncConnection, tenant: str, event: UnifierInbound
) -> tuple[Survey, Answer] | None:
    """The survey a customer message answers, and how; None for any other message."""
    if not isinstance(event, ev.MessageReceived):
        return None
    content = event.content
    if isinstance(content, ev.InteractiveContent) and (ids := ev.survey_answer(content.reply_id)):
        found = await _tapped(conn, tenant, event, *ids)
    elif isinstance(content, ev.TextContent) and dom.digits_score(content.text, dom.SCALE_MAX):
        found = await _typed(conn, tenant, event, content.text)
    else:
        return None
    if found is None:
        return None
    return found[0], Answer(event.event_id, found[1], event.received_at)


async def _tapped(
    conn: AsyncConnection, tenant: str, msg: ev.MessageReceived, survey_id: str, score: int
) -> tuple[Survey, int] | None:
    """A survey button: only the surveyed customer's, on its channel, on its scale."""
    survey = await survey_rows.one(conn, tenant, survey_id)
    if survey is None or (survey.channel_kind, survey.recipient) != (
        msg.channel.kind,
        msg.sender.handle,
    ):
        log.warning("a survey answer for no survey of this sender", extra={"tenant": tenant})
        return None
    return (survey, score) if 1 <= score <= survey.scale else None


async def _typed(
    conn: AsyncConnection, tenant: str, msg: ev.MessageReceived, text: str
) -> tuple[Survey, int] | None:
    """A bare score while the customer's survey on this channel is open."""
    kind, handle, at = msg.channel.kind, msg.sender.handle, msg.received_at
    survey = await survey_rows.open_for(conn, tenant, kind, handle, at)
    score = dom.digits_score(text, survey.scale) if survey else None
    return (survey, score) if survey is not None and score is not None else None


async def record_answer(
    conn: AsyncConnection, tenant: str, survey: Survey, answer: Answer
) -> un.CsatAnswered | None:
    """The answer and its event; None when this event was taken before."""
    seen = await survey_rows.seen(conn, tenant, answer.event_id)
    verdict = dom.verdict(survey.expires_at, answer.at, seen)
    if verdict == "duplicate":
        return None
    late = verdict == "late"
    await survey_rows.add_answer(
        conn,
        tenant,
        {
            "event_id": answer.event_id,
            "survey_id": survey.survey_id,
            "score": answer.score,
            "comment": answer.comment,
            "at": answer.at,
            "late": late,
        },
    )
    event = un.CsatAnswered(
        event_id=un.unified_event_id(tenant, answer.event_id, "csat.answered"),
        tenant=tenant,
        occurred_at=answer.at,
        conversation_id=survey.thread_id,
        survey_id=survey.survey_id,
        cycle=survey.cycle,
        channel=ev.ChannelRef(kind=survey.channel_kind, account_id=survey.account_id),
        agent=survey.agent,
        score=answer.score,
        scale=survey.scale,
        comment=answer.comment,
        late=late,
        revision=survey.answers + (0 if late else 1),
        source_event_id=answer.event_id,
    )
    await write_outbox(conn, [event])
    return event
