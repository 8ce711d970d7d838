"""The category trainer: a loop that retrains, every ``triage_train_hours``, the category model
of each tenant whose agents gave conversations categories since its last model
(``service.triage_admin.train_due``). A failed round is logged and tried again next time."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy.ext.asyncio import AsyncEngine

from unifier.service.triage_admin import train_due

log = logging.getLogger(__name__)


class Trainer:
    def __init__(self, engine: AsyncEngine, every_s: float) -> None:
        self.engine, self.every_s = engine, every_s

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.round()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.every_s)

    async def round(self) -> list[dict[str, object]]:
        try:
            return await train_due(self.engine)
        except Exception as exc:  # a bad round must not end the loop (or the service)
            log.error("category training round failed", extra={"error": repr(exc)})
            return []
