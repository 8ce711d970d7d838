"""IMAP poller (aioimaplib): UID-based, resumable, never a "SINCE one day" gap.

Per message: fetch ``BODY.PEEK[]``, prepare, write the checkpoint with the UID *pending*,
publish and wait for the Kafka ack, then advance ``last_uid`` and post-process (leave, flag
``\\Seen``, or move). On start, a pending UID is resolved by looking for its event id on the
topic, so a crash between the ack and the checkpoint write neither loses nor repeats the mail.
A changed UIDVALIDITY restarts from UID 1 (deterministic event ids make the resync harmless).
Between batches the poller IDLEs where the server supports it, else sleeps ``poll_s``.

One poller serves one mailbox, with its own checkpoint and its own backoff: a mailbox whose
server is down, whose certificate is not trusted or whose login is refused keeps retrying
(logged as an error, with the reason in ``last_error``) without holding up the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import aioimaplib

from email_ingest.imap_checkpoint import Checkpoint, CheckpointConflict, CheckpointFile, Pending
from email_ingest.imap_connect import AuthError, Client, TlsError, connect, log_in
from email_ingest.imap_metrics import ImapMetrics
from email_ingest.imap_oauth import TokenError, TokenSource, TokenUnavailable
from email_ingest.mailroom import Mailroom
from email_ingest.published import was_published
from hotline.kafka import KafkaUnavailable

log = logging.getLogger(__name__)
_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")


class ImapError(Exception):
    """The server said NO/BAD, or the answer made no sense."""


# Failures that a retry alone will not cure: logged as errors, naming the fix.
CONFIG_ERRORS = (TlsError, AuthError, TokenError, CheckpointConflict)
TRANSIENT_ERRORS = (
    TokenUnavailable,
    OSError,
    TimeoutError,
    ImapError,
    aioimaplib.AioImapException,
    KafkaUnavailable,
)
MAX_BACKOFF_S = 30.0
CONFIG_BACKOFF_S = 300.0  # a refused login is not retried every few seconds


@dataclass(frozen=True)
class ImapConfig:
    host: str
    port: int
    user: str
    password: str = field(repr=False)  # "" with ``tokens``
    bootstrap: str
    checkpoint: Path
    mailbox: str = "INBOX"
    batch: int = 50
    poll_s: float = 5.0
    post_action: str = "leave"  # leave | seen | move:<folder>
    timeout: float = 30.0
    security: str = "imaps"  # imaps | starttls | plain
    ca_file: Path | None = None
    tokens: TokenSource | None = field(default=None, repr=False)  # XOAUTH2 instead of LOGIN
    name: str = ""  # for logs; default user@host/mailbox

    @property
    def label(self) -> str:
        return self.name or self.owner

    @property
    def owner(self) -> str:
        return f"{self.user}@{self.host}/{self.mailbox}"


class ImapPoller:
    def __init__(
        self, config: ImapConfig, mailroom: Mailroom, metrics: ImapMetrics | None = None
    ) -> None:
        self.cfg = config
        self.mailroom = mailroom
        self.metrics = metrics or ImapMetrics()
        self.store = CheckpointFile(config.checkpoint, owner=config.owner)
        self._fresh_session = True
        self.last_error: str | None = None  # why the last session failed; None once logged in
        self.sessions = 0  # logged-in sessions so far

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until ``stop``; reconnect with backoff after any failure."""
        delay = 0.5
        while not stop.is_set():
            try:
                await self._session(stop)
                delay = 0.5
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # one mailbox's failure stays its own
                self._report(exc, delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)
                cap = CONFIG_BACKOFF_S if _is_config(exc) else MAX_BACKOFF_S
                delay = min(delay * 2, cap)

    def _report(self, exc: Exception, delay: float) -> None:
        self.last_error = f"{type(exc).__name__}: {exc}"
        self.metrics.failed(self.cfg.label, exc)
        extra = {"mailbox": self.cfg.label, "error": self.last_error, "retry_in": delay}
        if _is_config(exc):
            log.error("imap mailbox %s: %s", self.cfg.label, self.last_error, extra=extra)
        elif isinstance(exc, TRANSIENT_ERRORS):
            log.warning(
                "imap mailbox %s: poll failed: %s", self.cfg.label, self.last_error, extra=extra
            )
        else:
            log.exception("imap mailbox %s: poller crashed", self.cfg.label, extra=extra)

    async def _session(self, stop: asyncio.Event) -> None:
        cfg = self.cfg
        client = await connect(cfg.host, cfg.port, cfg.security, cfg.ca_file, cfg.timeout)
        try:
            await log_in(client, cfg.user, cfg.password, cfg.tokens)
            self.last_error, self._fresh_session = None, True
            self.sessions += 1
            self.metrics.up(self.cfg.label)
            while not stop.is_set():
                if await self.poll_once(client) < self.cfg.batch:
                    await self._wait_for_news(client, stop)
        finally:
            with contextlib.suppress(Exception):
                if client.has_pending_idle():  # cancelled while idling: end it, then LOGOUT
                    client.idle_done()
                await asyncio.wait_for(client.logout(), 5)
            client.close_transport()

    async def poll_once(self, client: Client) -> int:
        """One bounded batch; returns how many messages it took."""
        select = _ok(await client.select(self.cfg.mailbox), "SELECT")
        uidvalidity = _uidvalidity(select.lines)
        checkpoint = await self._reconcile(uidvalidity)
        if self._fresh_session and checkpoint.last_uid:
            # idempotent redo: a crash right after the checkpoint may have skipped it
            await self._post_process(client, checkpoint.last_uid)
        self._fresh_session = False
        uids = await self._new_uids(client, checkpoint.last_uid)
        for uid in uids[: self.cfg.batch]:
            await self._take(client, uidvalidity, uid)
        return min(len(uids), self.cfg.batch)

    async def _take(self, client: Client, uidvalidity: int, uid: int) -> None:
        raw = await self._fetch(client, uid)
        prepared = await self.mailroom.prepare(raw, source=f"imap:{self.cfg.label}")
        pending = Pending(uid, prepared.topic, prepared.marker, prepared.key.decode())
        last = self.store.load().last_uid
        self.store.save(Checkpoint(uidvalidity, last, pending))
        result = await self.mailroom.commit(prepared)
        if not result.accepted:  # the checkpoint keeps the UID pending; the session retries
            raise KafkaUnavailable(result.detail)
        self.store.save(Checkpoint(uidvalidity, uid))
        await self._post_process(client, uid)

    async def _reconcile(self, uidvalidity: int) -> Checkpoint:
        checkpoint = self.store.load()
        if checkpoint.uidvalidity not in (0, uidvalidity):
            log.warning("uidvalidity changed: full resync", extra={"uidvalidity": uidvalidity})
            checkpoint = Checkpoint(uidvalidity, 0)
        elif checkpoint.pending is not None:
            done = await was_published(
                self.cfg.bootstrap, checkpoint.pending.topic, checkpoint.pending
            )
            last = checkpoint.pending.uid if done else checkpoint.last_uid
            checkpoint = Checkpoint(uidvalidity, last)
        else:
            checkpoint = Checkpoint(uidvalidity, checkpoint.last_uid)
        self.store.save(checkpoint)
        return checkpoint

    async def _new_uids(self, client: Client, last_uid: int) -> list[int]:
        found = _ok(await client.uid_search(f"UID {last_uid + 1}:*"), "UID SEARCH")
        uids = {int(n) for line in found.lines[:-1] for n in re.findall(rb"\d+", bytes(line))}
        return sorted(u for u in uids if u > last_uid)  # "n:*" always matches the highest UID

    async def _fetch(self, client: Client, uid: int) -> bytes:
        fetched = _ok(await client.uid("fetch", str(uid), "(BODY.PEEK[])"), "UID FETCH")
        for line in fetched.lines:
            if isinstance(line, bytearray):
                return bytes(line)
        raise ImapError(f"UID {uid}: no message body in the FETCH answer")

    async def _post_process(self, client: Client, uid: int) -> None:
        action = self.cfg.post_action
        if action == "seen":
            _ok(await client.uid("store", str(uid), "+FLAGS", "(\\Seen)"), "UID STORE")
        elif action.startswith("move:"):
            await self._move(client, uid, action.removeprefix("move:"))

    async def _move(self, client: Client, uid: int, folder: str) -> None:
        moved = await client.uid("move", str(uid), folder)
        if moved.result != "OK" and b"TRYCREATE" in b" ".join(bytes(x) for x in moved.lines):
            await client.create(folder)  # the folder does not exist yet: create it once
            moved = await client.uid("move", str(uid), folder)
        _ok(moved, "UID MOVE")

    async def _wait_for_news(self, client: Client, stop: asyncio.Event) -> None:
        if not client.has_capability("IDLE"):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.cfg.poll_s)
            return
        idle = await client.idle_start(timeout=self.cfg.poll_s)
        push = asyncio.ensure_future(client.wait_server_push(timeout=self.cfg.poll_s + 1))
        stopping = asyncio.ensure_future(stop.wait())  # shut down without waiting out the IDLE
        await asyncio.wait({push, stopping}, return_when=asyncio.FIRST_COMPLETED)
        for waiter in (push, stopping):
            waiter.cancel()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await waiter
        client.idle_done()
        await asyncio.wait_for(idle, self.cfg.timeout)


def _is_config(exc: Exception) -> bool:
    return isinstance(exc, CONFIG_ERRORS) and not isinstance(exc, TRANSIENT_ERRORS)


def _ok(response: aioimaplib.Response, what: str) -> aioimaplib.Response:
    if response.result != "OK":
        raise ImapError(f"{what}: {response.result} {response.lines[-1:]!r}")
    return response


def _uidvalidity(lines: list[bytes]) -> int:
    for line in lines:
        m = _UIDVALIDITY.search(bytes(line))
        if m:
            return int(m.group(1))
    raise ImapError("SELECT answer without UIDVALIDITY")
