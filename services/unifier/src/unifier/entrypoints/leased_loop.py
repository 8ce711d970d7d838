"""A background loop that one instance per database runs at a time (``store/relay_lease.py``):
each turn asks for the lease (the owner confirms it, a standby tries to take it), runs a round
while it holds it, then pauses until woken (``wake``: a batch committed), stopped, or its
wait has passed: the poll interval while it owns the lease, the lease's retry interval while
another instance does. The auto-assigner and the SLA scheduler are such loops."""

from __future__ import annotations

import abc
import asyncio

from unifier.store.relay_lease import Holding, RelayLease


class LeasedLoop(abc.ABC):
    def __init__(self, lease: RelayLease, name: str, poll_s: float) -> None:
        self.lease, self.poll_s = lease, poll_s
        self.holding = Holding(lease, name)
        self.kick = asyncio.Event()

    def wake(self) -> None:
        self.kick.set()

    @property
    def owned(self) -> bool:
        return self.holding.owned

    async def run(self, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                again = await self.turn() if await self.holding.check() else False
                if not again:
                    await self.pause(stop)
        finally:
            await self.lease.release()

    @abc.abstractmethod
    async def turn(self) -> bool:
        """One round (the lease held); True when another should follow at once."""

    def wait_s(self) -> float:
        """How long to pause when nobody wakes the loop."""
        return self.poll_s if self.owned else self.lease.retry_s

    async def pause(self, stop: asyncio.Event) -> None:
        waits = [asyncio.create_task(self.kick.wait()), asyncio.create_task(stop.wait())]
        await asyncio.wait(waits, timeout=self.wait_s(), return_when=asyncio.FIRST_COMPLETED)
        for task in waits:
            task.cancel()
        self.kick.clear()
