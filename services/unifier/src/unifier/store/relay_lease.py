"""Who runs the outbox relay: one relay per database, across hosts.

Per-conversation order on the unified topics needs exactly one relay publishing the outbox at
a time. On PostgreSQL the owner holds a session-level advisory lock (``pg_try_advisory_lock``)
on a connection of its own, opened for nothing else:

- **One owner.** The lock belongs to that server session; every other instance's relay stands
  by and asks again every ``retry_s`` (``try_acquire``). A session's lock can only end with the
  session, so while the owner's connection answers, it still owns the lock.
- **Takeover.** ``kill -9`` of the owner closes its socket: the server ends the session at
  once and a standby gets the lock on its next try (under a second by default); it then
  reconciles the topics' tails with the outbox before publishing (``OutboxRelay.run``).
- **A host that vanishes** (power, network) sends no FIN: the server learns of it by TCP
  keepalive, set on the lock session to ``KEEPALIVE`` (idle 5 s, then 3 probes 2 s apart:
  about 11 s). The owner, for its part, confirms its connection before every batch
  (``confirm``, bounded by ``confirm_timeout_s``) and stops at the first failure, so an owner
  cut off from PostgreSQL stops publishing before the server gives its lock away.

Why not per-partition leases with a fencing token: the outbox is one table in commit order,
and Kafka cannot check a token carried by our records, so a fence would only guard the
outbox's delete, not the publish. The lock's limit is the same in another form: it relies on
timing. An owner cut off from PostgreSQL stops within one send (the producer's ack timeout,
5 s by default) plus one failed confirmation (2 s), before the server frees the lock after the
keepalive window (about 11 s); a send that outlives that window (an ack timeout raised past
it) could land after the next owner's reconcile.

A connection pooler in transaction mode (PgBouncer) would hand the session to others: the
lock connection must reach PostgreSQL directly.

SQLite is the single-instance default: ``SingleHost`` always owns (one unifier per file; the
relay process's ``flock`` keeps a restarted unifier's relay from overlapping its old one).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from typing import Any, Protocol

import asyncpg
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)
# what a lost or broken session raises (a terminated backend can surface as a protocol-state
# error of the client rather than a clean ConnectionError)
SESSION_ERRORS = (
    OSError,
    TimeoutError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
)
LOCK_NAME = "hotline.unifier.outbox_relay"
LOCK_KEY = int.from_bytes(hashlib.sha256(LOCK_NAME.encode()).digest()[:8], "big", signed=True)
APPLICATION = "hotline-relay"  # pg_stat_activity.application_name of the lock session
KEEPALIVE = {
    "tcp_keepalives_idle": "5",
    "tcp_keepalives_interval": "2",
    "tcp_keepalives_count": "3",
}


class LeaseLost(Exception):
    """The owner can no longer prove it holds the lease: stop publishing."""


class LeaseUnavailable(Exception):
    """The database did not answer the lease question (unreachable, restarting, timed out)."""


class RelayLease(Protocol):
    retry_s: float  # how often a standby asks again

    async def try_acquire(self) -> bool:
        """True: this relay owns the lease now; False: another instance does. Raises
        ``LeaseUnavailable`` when the database does not answer."""
        ...

    async def confirm(self) -> None:
        """Raise ``LeaseLost`` unless the lease is still held."""
        ...

    async def release(self) -> None: ...


class SingleHost:
    """SQLite: one unifier per database file, always the owner."""

    retry_s = 1.0

    async def try_acquire(self) -> bool:
        return True

    async def confirm(self) -> None:
        return None

    async def release(self) -> None:
        return None


class AdvisoryLease:
    """PostgreSQL: a session-level advisory lock on a dedicated connection."""

    def __init__(
        self,
        dsn: str,
        retry_s: float = 0.5,
        confirm_timeout_s: float = 2.0,
        key: int = LOCK_KEY,
        application: str = APPLICATION,  # names the lock's session in pg_stat_activity
    ) -> None:
        self.dsn, self.retry_s, self.key, self.application = dsn, retry_s, key, application
        self.confirm_timeout_s = confirm_timeout_s
        self.conn: Any = None  # asyncpg.Connection while we hold or wait for the lock
        self.owned = False

    async def try_acquire(self) -> bool:
        try:
            return await self._try_lock()
        except SESSION_ERRORS as exc:
            await self._drop()
            raise LeaseUnavailable(repr(exc)) from exc
        except BaseException:  # cancelled mid-question: the answer is unknown
            await self._drop()
            raise

    async def _try_lock(self) -> bool:
        if self.conn is None or self.conn.is_closed():
            self.conn = await asyncio.wait_for(self._connect(), self.confirm_timeout_s * 5)
        got = await asyncio.wait_for(
            self.conn.fetchval("SELECT pg_try_advisory_lock($1)", self.key), self.confirm_timeout_s
        )
        self.owned = bool(got)
        return self.owned

    async def _connect(self) -> Any:
        url = make_url(self.dsn).set(drivername="postgresql")
        settings = {**KEEPALIVE, "application_name": f"{self.application} pid={os.getpid()}"}
        return await asyncpg.connect(
            url.render_as_string(hide_password=False), server_settings=settings
        )

    async def confirm(self) -> None:
        if not self.owned or self.conn is None or self.conn.is_closed():
            raise LeaseLost("the relay's lock session is gone")
        try:
            await asyncio.wait_for(self.conn.fetchval("SELECT 1"), self.confirm_timeout_s)
        except SESSION_ERRORS as exc:
            await self._drop()
            raise LeaseLost(f"the relay's lock session does not answer: {exc!r}") from exc

    async def release(self) -> None:
        """Closing the session ends the lock (an explicit unlock would be one more trip)."""
        await self._drop()

    async def _drop(self) -> None:
        self.owned = False
        conn, self.conn = self.conn, None
        if conn is not None and not conn.is_closed():
            conn.terminate()


def lease_for(dsn: str) -> RelayLease:
    """The lease of the database at ``dsn`` (a SQLAlchemy URL or a plain DSN)."""
    name = make_url(dsn).get_backend_name()
    return AdvisoryLease(dsn) if name == "postgresql" else SingleHost()


def loop_lease(dsn: str, name: str) -> RelayLease:
    """The lease of a background loop (the assigner, the SLA scheduler): one instance per
    database runs it; its own advisory lock key, from ``name``, on PostgreSQL."""
    if make_url(dsn).get_backend_name() != "postgresql":
        return SingleHost()
    digest = hashlib.sha256(f"hotline.unifier.{name}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    return AdvisoryLease(dsn, retry_s=1.0, key=key, application=f"hotline-{name}")


class Holding:
    """Whether this instance holds ``lease``, asked before each round: the owner confirms it,
    a standby tries to take it; a lost or unreachable lease is logged and means not held."""

    def __init__(self, lease: RelayLease, name: str) -> None:
        self.lease, self.name, self.owned = lease, name, False

    async def check(self) -> bool:
        try:
            if self.owned:
                await self.lease.confirm()
            else:
                self.owned = await self.lease.try_acquire()
        except (LeaseLost, LeaseUnavailable) as exc:
            log.warning("lease not held", extra={"loop": self.name, "error": repr(exc)})
            self.owned = False
        return self.owned
