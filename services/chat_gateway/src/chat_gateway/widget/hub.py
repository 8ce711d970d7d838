"""Live widget sockets per visitor, and each visitor's outbox of replies not yet seen.

A reply is pushed to every live socket of the visitor and kept until the browser reports it
seen, so a visitor who was offline (or whose socket dropped mid-push) gets it on reconnect.
Memory only: one gateway process owns its sockets (see the report for the multi-node plan).
"""

from __future__ import annotations

import contextlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)
SendJson = Callable[[dict[str, Any]], Awaitable[None]]
VisitorKey = tuple[str, str]  # (site, visitor id)


@dataclass
class Visitor:
    sockets: set[SendJson] = field(default_factory=set)
    outbox: OrderedDict[str, dict[str, Any]] = field(default_factory=OrderedDict)


class Hub:
    def __init__(self, outbox_limit: int = 200, visitor_limit: int = 100_000) -> None:
        self.outbox_limit, self.visitor_limit = outbox_limit, visitor_limit
        self.visitors: OrderedDict[VisitorKey, Visitor] = OrderedDict()

    def _visitor(self, key: VisitorKey) -> Visitor:
        visitor = self.visitors.setdefault(key, Visitor())
        self.visitors.move_to_end(key)
        if len(self.visitors) > self.visitor_limit:
            self._evict_offline()
        return visitor

    def _evict_offline(self) -> None:
        """Drop the longest-idle offline visitor's outbox (their replies stay on Kafka)."""
        for key, visitor in self.visitors.items():
            if not visitor.sockets:
                del self.visitors[key]
                log.warning("widget outbox evicted", extra={"reason": "visitor_limit"})
                return

    async def attach(self, key: VisitorKey, send: SendJson) -> None:
        visitor = self._visitor(key)
        visitor.sockets.add(send)
        for frame in list(visitor.outbox.values()):
            await send(frame)

    def detach(self, key: VisitorKey, send: SendJson) -> None:
        visitor = self.visitors.get(key)
        if visitor is None:
            return
        visitor.sockets.discard(send)
        if not visitor.sockets and not visitor.outbox:
            del self.visitors[key]

    async def reply(self, key: VisitorKey, reply_id: str, frame: dict[str, Any]) -> bool:
        """Queue and push a reply; True when at least one live socket took it."""
        visitor = self._visitor(key)
        visitor.outbox[reply_id] = frame
        while len(visitor.outbox) > self.outbox_limit:
            visitor.outbox.popitem(last=False)
        return await self._push(visitor, frame)

    async def typing(self, key: VisitorKey, on: bool) -> bool:
        visitor = self.visitors.get(key)
        if visitor is None:
            return False
        return await self._push(visitor, {"type": "typing", "on": on})

    def seen(self, key: VisitorKey, reply_ids: list[str]) -> None:
        visitor = self.visitors.get(key)
        for reply_id in reply_ids:
            if visitor:
                visitor.outbox.pop(reply_id, None)

    async def _push(self, visitor: Visitor, frame: dict[str, Any]) -> bool:
        delivered = False
        for send in list(visitor.sockets):
            with contextlib.suppress(Exception):  # a dead socket: its reconnect gets the outbox
                await send(frame)
                delivered = True
        return delivered
