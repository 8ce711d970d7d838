"""The live feed: news published between subscribing and the body's first step reaches the
subscriber (the browser sees the stream open when the headers go out, before that step)."""

from __future__ import annotations

from unifier.entrypoints.api.live_feed import LiveFeed


async def test_news_between_subscribe_and_first_chunk_is_delivered() -> None:
    feed = LiveFeed()
    news = feed.subscribe("t1")
    feed.publish("t1", {"conversations": ["c1"]}, "assignment")
    feed.publish("t2", {"conversations": ["other"]})
    chunks = news.chunks(keepalive=5.0)
    assert await anext(chunks) == "retry: 1000\n\n"
    assert await anext(chunks) == 'event: assignment\ndata: {"conversations": ["c1"]}\n\n'
    await chunks.aclose()
    assert feed.subscribers["t1"] == set()


async def test_a_subscription_whose_body_never_ran_is_closed_by_its_background() -> None:
    feed = LiveFeed()
    news = feed.subscribe("t1")
    news.close()
    news.close()
    feed.publish("t1", {"conversations": ["c1"]})
    assert feed.subscribers["t1"] == set() and news.queue.empty()


async def test_keep_alive_comment_when_nothing_happens() -> None:
    chunks = LiveFeed().subscribe("t1").chunks(keepalive=0.01)
    assert await anext(chunks) == "retry: 1000\n\n"
    assert await anext(chunks) == ": keep-alive\n\n"
    await chunks.aclose()
