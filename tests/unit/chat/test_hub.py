"""The widget hub outbox."""

from __future__ import annotations

from typing import Any

from chat_gateway.widget.hub import Hub


async def test_hub_holds_replies_until_seen() -> None:
    hub, got = Hub(), []

    async def sock(frame: dict[str, Any]) -> None:
        got.append(frame["reply_id"])

    assert await hub.reply(("s", "v"), "r1", {"reply_id": "r1"}) is False
    await hub.attach(("s", "v"), sock)
    assert got == ["r1"]
    assert await hub.reply(("s", "v"), "r2", {"reply_id": "r2"}) is True
    hub.seen(("s", "v"), ["r1", "r2"])
    hub.detach(("s", "v"), sock)
    assert hub.visitors == {}


async def test_hub_evicts_the_longest_idle_offline_visitor() -> None:
    hub = Hub(visitor_limit=2)

    async def sock(frame: dict[str, Any]) -> None:
        return None

    await hub.attach(("s", "online"), sock)
    await hub.reply(("s", "a"), "r1", {"reply_id": "r1"})
    await hub.reply(("s", "b"), "r2", {"reply_id": "r2"})
    assert set(hub.visitors) == {("s", "online"), ("s", "b")}
