"""An edge following its account feed in the background, the way its producer starts: the
service comes up (and says it is not ready) while the broker is away, and catches up as soon
as it is back. Until then only the environment's accounts route."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from hotline.accounts.feed import AccountFeed
from hotline.accounts.registry import AccountRegistry
from hotline.settings import ServiceSettings

log = logging.getLogger(__name__)
RETRY_S = 2.0


class Following:
    def __init__(self, registry: AccountRegistry, settings: ServiceSettings) -> None:
        sealer = settings.channel_sealer()
        self.feed = AccountFeed(registry, settings.kafka_bootstrap, sealer)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="account-feed-start")

    async def _run(self) -> None:
        while True:
            try:
                await self.feed.start()
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker or topic not there yet: try again
                log.warning("account feed not started; retrying", extra={"error": repr(exc)})
                await asyncio.sleep(RETRY_S)

    async def ready(self) -> bool:
        return await self.feed.ready()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.feed.stop()


def followed(registry: AccountRegistry, publisher: object | None) -> AccountRegistry | None:
    """The registry the app keeps current from the feed: none when the app was given its own
    publisher (tests without a broker fill the registry themselves)."""
    return registry if publisher is None else None
