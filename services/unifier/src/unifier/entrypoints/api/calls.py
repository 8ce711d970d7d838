"""Running a command or a read for a route: one transaction, errors as clear answers, and the
relay and the live feed told after a commit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.http import Rejected
from unifier.entrypoints.api.live_feed import LiveFeed
from unifier.entrypoints.runtime import ConsumerRuntime
from unifier.service.commands import CommandError
from unifier.store.engine import snapshot

T = TypeVar("T")


def runtime(request: Request) -> ConsumerRuntime:
    rt: ConsumerRuntime = request.app.state.runtime
    return rt


async def read(request: Request, fn: Callable[[AsyncConnection], Awaitable[T]]) -> T:
    """``fn``'s statements read one committed state (``store.engine.snapshot``): a thread read
    while a batch commits shows the batch's rows all or none. ``fn`` only reads (no locking
    read, no write), so the snapshot never meets a serialization failure."""
    try:
        async with snapshot(runtime(request).engine) as conn:
            return await fn(conn)
    except CommandError as exc:
        raise Rejected(exc.status, exc.reason, exc.detail) from exc


async def found(
    request: Request, fn: Callable[[AsyncConnection], Awaitable[T | None]], what: str
) -> T:
    """``read``, with no row answered as 404 naming ``what`` (e.g. "contact c1")."""
    row = await read(request, fn)
    if row is None:
        raise Rejected(404, "not_found", what)
    return row


async def write(
    request: Request,
    tenant: str,
    fn: Callable[[AsyncConnection], Awaitable[T]],
    conversations: Iterable[str] = (),
) -> T:
    """``fn`` in one transaction; a ``CommandError`` rolls it back and is the answer."""
    try:
        async with runtime(request).engine.begin() as conn:
            result = await fn(conn)
    except CommandError as exc:
        raise Rejected(exc.status, exc.reason, exc.detail) from exc
    runtime(request).relay.notify()
    wake_assigner(request)
    live: LiveFeed = request.app.state.live_feed
    live.publish(tenant, {"conversations": sorted(set(conversations))})
    return result


def wake_assigner(request: Request) -> None:
    """An agent's command may free capacity (a close, a hand-back, a merge): a round now offers
    the longest waiting conversation instead of at the next poll."""
    if (assigner := getattr(request.app.state, "assigner", None)) is not None:
        assigner.wake()
