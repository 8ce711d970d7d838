"""Live updates: committed changes fan out to server-sent-event subscribers of the tenant."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any


class LiveFeed:
    def __init__(self) -> None:
        self.subscribers: dict[str, set[asyncio.Queue[tuple[str, dict[str, Any]]]]] = {}

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

    async def stream(self, tenant: str, keepalive: float = 15.0) -> AsyncIterator[str]:
        queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
        self.subscribers.setdefault(tenant, set()).add(queue)
        try:
            yield "retry: 1000\n\n"
            while True:
                try:
                    event, change = await asyncio.wait_for(queue.get(), keepalive)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                yield f"event: {event}\ndata: {json.dumps(change)}\n\n"
        finally:
            self.subscribers[tenant].discard(queue)
