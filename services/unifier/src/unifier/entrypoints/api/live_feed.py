"""Live updates: committed changes fan out to server-sent-event subscribers of the tenant."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator
from typing import Any

Change = tuple[str, dict[str, Any]]


class LiveFeed:
    def __init__(self) -> None:
        self.subscribers: dict[str, set[asyncio.Queue[Change]]] = {}

    def publish(self, tenant: str, change: dict[str, Any], event: str = "change") -> None:
        """Send ``change`` (JSON) as SSE ``event`` to every subscriber of the tenant: ``change``
        with the conversation ids that changed; other names for other news (e.g. presence)."""
        for queue in self.subscribers.get(tenant, ()):
            if queue.qsize() < 1000:
                queue.put_nowait((event, change))

    def committed(self, changed: dict[str, list[str]]) -> None:
        """The runtime's on-commit hook: tell each tenant's subscribers which threads changed."""
        for tenant, thread_ids in changed.items():
            if thread_ids:
                self.publish(tenant, {"conversations": thread_ids})

    def subscribe(self, tenant: str) -> Subscription:
        """The tenant's news from now on. Subscribe in the endpoint, before the response starts:
        the client sees the stream open when the headers go out, before the body is first
        iterated, and news published in between must not be lost."""
        return Subscription(self, tenant)


class Subscription:
    def __init__(self, feed: LiveFeed, tenant: str) -> None:
        self.feed, self.tenant = feed, tenant
        self.queue: asyncio.Queue[Change] = asyncio.Queue()
        feed.subscribers.setdefault(tenant, set()).add(self.queue)

    def close(self) -> None:
        """Stop receiving (idempotent: the body's end and the response's background both call
        it, since a body never iterated runs no ``finally``)."""
        self.feed.subscribers.get(self.tenant, set()).discard(self.queue)

    async def chunks(self, keepalive: float = 15.0) -> AsyncGenerator[str]:
        """The SSE text: a retry hint, then each change, with a comment every ``keepalive``."""
        try:
            yield "retry: 1000\n\n"
            while True:
                try:
                    event, change = await asyncio.wait_for(self.queue.get(), keepalive)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                yield f"event: {event}\ndata: {json.dumps(change)}\n\n"
        finally:
            self.close()
