"""Deliver each reply.requested.v1, then publish its reply.result.v1 (after Kafka acked);
show each agent.typing.v1 to the visitor's live sockets (ephemeral: no result)."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Literal

from chat_gateway.replies.slack_api import SlackApi, SlackApiError
from chat_gateway.slack.interactions import blocks_of
from chat_gateway.widget.hub import Hub
from hotline import events as ev
from hotline.kafka import Batch, PermanentError
from hotline.kafka.consumer import InRecord

log = logging.getLogger(__name__)
Status = Literal["sent", "failed", "window_closed"]


Outbound = ev.ReplyRequested | ev.AgentTyping


def decode_reply(record: InRecord) -> Outbound:
    event = ev.decode(record.value or b"")
    if not isinstance(event, ev.ReplyRequested | ev.AgentTyping):
        raise PermanentError("not_a_reply", ev.event_tag(event))
    return event


def reply_text(reply: ev.ReplyRequested) -> str:
    content = reply.content
    if isinstance(content, ev.TextContent):
        return content.text
    raise PermanentError("unsupported_content", content.__class__.__name__)


def survey_frame(survey: ev.SurveyAsk) -> dict[str, object]:
    choices = [{"reply_id": c.reply_id, "title": c.title} for c in survey.choices]
    return {"survey_id": survey.survey_id, "question": survey.question, "choices": choices}


def result(
    reply: ev.ReplyRequested,
    status: Status,
    *,
    provider_message_id: str | None = None,
    reason: str | None = None,
    provider_code: str | None = None,
) -> ev.ReplyResult:
    return ev.reply_result(
        reply,
        status,
        provider_message_id=provider_message_id,
        reason=reason,
        provider_code=provider_code,
    )


class ReplyHandler:
    def __init__(
        self,
        slack: SlackApi,
        tokens: Mapping[str, str],  # team id -> the workspace's newest bot token
        hub: Hub,
        publish: Callable[[Sequence[ev.Event]], Awaitable[object]],
        done_limit: int = 50_000,
    ) -> None:
        self.slack, self.tokens, self.hub, self.publish = slack, tokens, hub, publish
        # A retried batch, or a redelivery after a lost commit, never sends a reply twice
        # (within this process; the bound keeps memory flat).
        self.done: OrderedDict[str, ev.ReplyResult] = OrderedDict()
        self.done_limit = done_limit

    async def __call__(self, batch: Batch[Outbound]) -> None:
        results = []
        for item in batch.items:
            if isinstance(item.value, ev.AgentTyping):
                await self.typing(item.value)
            else:
                results.append(await self.deliver(item.value))
        await self.publish(results)
        for r in results:
            log.info(
                "reply delivered",
                extra={
                    "event_id": r.event_id,
                    "status": r.status,
                    "channel": r.channel.kind,
                    "tenant": r.tenant,
                },
            )

    async def typing(self, event: ev.AgentTyping) -> None:
        """Widget visitors see it live; Slack shows no bot typing; an offline visitor misses it."""
        if event.channel.kind == "widget":
            await self.hub.typing((event.channel.account_id, event.recipient), event.on)

    async def deliver(self, reply: ev.ReplyRequested) -> ev.ReplyResult:
        if reply.reply_id not in self.done:
            self.done[reply.reply_id] = await self._deliver(reply)
            while len(self.done) > self.done_limit:
                self.done.popitem(last=False)
        return self.done[reply.reply_id]

    async def _deliver(self, reply: ev.ReplyRequested) -> ev.ReplyResult:
        try:
            if reply.channel.kind == "slack":
                return await self._slack(reply)
            if reply.channel.kind == "widget":
                return await self._widget(reply)
        except (SlackApiError, PermanentError) as exc:
            return result(
                reply, "failed", reason=str(exc), provider_code=getattr(exc, "code", None)
            )
        return result(reply, "failed", reason=f"unsupported channel {reply.channel.kind}")

    async def _slack(self, reply: ev.ReplyRequested) -> ev.ReplyResult:
        token = self.tokens.get(reply.channel.account_id)
        if token is None:
            raise PermanentError("unknown_workspace", reply.channel.account_id)
        channel = reply.thread.provider_conversation_id or reply.recipient
        text = reply_text(reply)
        blocks = blocks_of(reply.survey, text) if reply.survey is not None else None
        ts = await self.slack.post_message(
            token, channel, text, reply.thread.chat_thread_id, blocks
        )
        return result(reply, "sent", provider_message_id=f"{channel}:{ts}")

    async def _widget(self, reply: ev.ReplyRequested) -> ev.ReplyResult:
        frame: dict[str, object] = {
            "type": "reply",
            "reply_id": reply.reply_id,
            "text": reply_text(reply),
            "sent_at": reply.requested_at.isoformat(),
        }
        if reply.survey is not None:  # the widget shows its choices as an inline rating
            frame["survey"] = survey_frame(reply.survey)
        live = await self.hub.reply(
            (reply.channel.account_id, reply.recipient), reply.reply_id, frame
        )
        return result(
            reply,
            "sent",
            provider_message_id=reply.reply_id,
            reason=None if live else "held_until_reconnect",
        )
