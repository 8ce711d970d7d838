"""The reply handler with unit-test fakes: a retried or redelivered reply is sent once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from aiokafka import TopicPartition

from chat_gateway.replies.handlers import Outbound, ReplyHandler
from chat_gateway.widget.hub import Hub
from hotline import events as ev
from hotline.kafka import Batch, Item, RetriableError


class FakeSlack:
    def __init__(self) -> None:
        self.posts: list[tuple[str, str, str | None]] = []
        self.fail_on: set[str] = set()

    async def post_message(
        self,
        token: str,
        channel: str,
        text: str,
        thread_ts: str | None,
        blocks: list[dict[str, object]] | None = None,
    ) -> str:
        if text in self.fail_on:
            raise RetriableError("slack down")
        self.posts.append((channel, text, thread_ts))
        return f"1.{len(self.posts)}"


def request(reply_id: str, text: str) -> ev.ReplyRequested:
    return ev.ReplyRequested(
        event_id=reply_id,
        reply_id=reply_id,
        tenant="T1",
        channel=ev.ChannelRef(kind="slack", account_id="T1"),
        conversation_id="c",
        recipient="C1",
        content=ev.TextContent(text=text),
        requested_at=datetime.now(UTC),
        requested_by="agent",
        thread=ev.ThreadHints(chat_thread_id="9.1"),
    )


def batch(*replies: ev.ReplyRequested) -> Batch[Outbound]:
    return Batch(TopicPartition("t", 0), [Item(None, r) for r in replies])


async def test_a_retried_batch_does_not_post_twice() -> None:
    slack = FakeSlack()
    published: list[ev.ReplyResult] = []

    async def publish(events: Sequence[ev.Event]) -> None:
        for event in events:
            assert isinstance(event, ev.ReplyResult)
            published.append(event)

    # FakeSlack stands in for the concrete SlackApi class (same post_message, no HTTP client)
    handler = ReplyHandler(slack, {"T1": "xoxb"}, Hub(), publish)  # type: ignore[arg-type]
    slack.fail_on = {"second"}
    with pytest.raises(RetriableError):
        await handler(batch(request("r1", "first"), request("r2", "second")))
    slack.fail_on = set()
    await handler(batch(request("r1", "first"), request("r2", "second")))
    await handler(batch(request("r1", "first")))  # redelivered after a lost commit
    assert slack.posts == [("C1", "first", "9.1"), ("C1", "second", "9.1")]
    assert [r.reply_id for r in published] == ["r1", "r2", "r1"]
    assert len({r.event_id for r in published}) == 2  # the repeat is the same result event
