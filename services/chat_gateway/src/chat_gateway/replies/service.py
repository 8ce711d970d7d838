"""Run the replies ConsumerLoop inside the gateway (started by the app's lifespan)."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Mapping

from chat_gateway.replies.handlers import Outbound, ReplyHandler, decode_reply
from chat_gateway.replies.slack_api import SlackApi
from chat_gateway.settings import ChatSettings
from chat_gateway.widget.hub import Hub
from hotline.http import ServiceState
from hotline.kafka import ConsumerLoop
from hotline.kafka.consumer import LoopSettings
from hotline.topics import REPLIES_CHAT

log = logging.getLogger(__name__)


def start_replies(
    state: ServiceState, settings: ChatSettings, hub: Hub, tokens: Mapping[str, str]
) -> None:
    """``tokens``: each workspace's newest bot token, by team id (read at each reply)."""
    slack = SlackApi(settings.slack_api_base, settings.slack_api_timeout)
    handler = ReplyHandler(slack, tokens, hub, state.producer.publish)
    loop = ConsumerLoop(
        LoopSettings(
            bootstrap=settings.kafka_bootstrap,
            group_id=settings.replies_group,
            topics=[REPLIES_CHAT],
        ),
        decode=decode_reply,
        handle=handler,
        producer=state.producer,
        metrics=state.metrics,
    )
    state.tasks.append(asyncio.create_task(supervise(state, loop, slack)))


async def producer_started(state: ServiceState) -> None:
    for _ in itertools.count():
        if state.producer.started:
            return
        await asyncio.sleep(0.1)


async def supervise(state: ServiceState, loop: ConsumerLoop[Outbound], slack: SlackApi) -> None:
    """Start once the producer is up; after retries are exhausted, restart from the commit."""
    try:
        while True:
            await producer_started(state)
            try:
                await loop.run()
            except Exception as exc:
                log.error("replies loop stopped; restarting", extra={"error": repr(exc)})
                await asyncio.sleep(1.0)
    finally:
        await slack.close()
