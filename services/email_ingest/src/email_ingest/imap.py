"""IMAP poller (aioimaplib): UID-based, resumable, never a "SINCE one day" gap.

Per message: fetch ``BODY.PEEK[]``, prepare, write the checkpoint with the UID *pending*,
publish and wait for the Kafka ack, then advance ``last_uid`` and post-process (leave, flag
``\\Seen``, or move). On start, a pending UID is resolved by looking for its event id on the
topic, so a crash between the ack and the checkpoint write neither loses nor repeats the mail.
A changed UIDVALIDITY restarts from UID 1 (deterministic event ids make the resync harmless).
Between batches the poller IDLEs where the server supports it, else sleeps ``poll_s``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import aioimaplib

from email_ingest.imap_checkpoint import Checkpoint, CheckpointFile, Pending
from email_ingest.mailroom import Mailroom
from email_ingest.published import was_published
from hotline.kafka import KafkaUnavailable

log = logging.getLogger(__name__)
_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")


class ImapError(Exception):
    """The server said NO/BAD, or the answer made no sense."""


@dataclass(frozen=True)
class ImapConfig:
    host: str
    port: int
    user: str
    password: str
    bootstrap: str
    checkpoint: Path
    mailbox: str = "INBOX"
    batch: int = 50
    poll_s: float = 5.0
    post_action: str = "leave"  # leave | seen | move:<folder>
    timeout: float = 30.0


class ImapPoller:
    def __init__(self, config: ImapConfig, mailroom: Mailroom) -> None:
        self.cfg = config
        self.mailroom = mailroom
        self.store = CheckpointFile(config.checkpoint)
        self._fresh_session = True

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until ``stop``; reconnect with backoff after any IMAP or Kafka failure."""
        delay = 0.5
        while not stop.is_set():
            try:
                await self._session(stop)
                delay = 0.5
            except (OSError, TimeoutError, ImapError, aioimaplib.Abort, KafkaUnavailable) as exc:
                log.warning("imap poll failed", extra={"error": repr(exc), "retry_in": delay})
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)
                delay = min(delay * 2, 30.0)

    async def _session(self, stop: asyncio.Event) -> None:
        client = aioimaplib.IMAP4(host=self.cfg.host, port=self.cfg.port, timeout=self.cfg.timeout)
        await client.wait_hello_from_server()
        _ok(await client.login(self.cfg.user, self.cfg.password), "LOGIN")
        self._fresh_session = True
        try:
            while not stop.is_set():
                if await self.poll_once(client) < self.cfg.batch:
                    await self._wait_for_news(client, stop)
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.logout(), 5)

    async def poll_once(self, client: aioimaplib.IMAP4) -> int:
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

    async def _take(self, client: aioimaplib.IMAP4, uidvalidity: int, uid: int) -> None:
        raw = await self._fetch(client, uid)
        prepared = await self.mailroom.prepare(raw, source=f"imap:{self.cfg.mailbox}")
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

    async def _new_uids(self, client: aioimaplib.IMAP4, last_uid: int) -> list[int]:
        found = _ok(await client.uid_search(f"UID {last_uid + 1}:*"), "UID SEARCH")
        uids = {int(n) for line in found.lines[:-1] for n in re.findall(rb"\d+", bytes(line))}
        return sorted(u for u in uids if u > last_uid)  # "n:*" always matches the highest UID

    async def _fetch(self, client: aioimaplib.IMAP4, uid: int) -> bytes:
        fetched = _ok(await client.uid("fetch", str(uid), "(BODY.PEEK[])"), "UID FETCH")
        for line in fetched.lines:
            if isinstance(line, bytearray):
                return bytes(line)
        raise ImapError(f"UID {uid}: no message body in the FETCH answer")

    async def _post_process(self, client: aioimaplib.IMAP4, uid: int) -> None:
        action = self.cfg.post_action
        if action == "seen":
            _ok(await client.uid("store", str(uid), "+FLAGS", "(\\Seen)"), "UID STORE")
        elif action.startswith("move:"):
            await self._move(client, uid, action.removeprefix("move:"))

    async def _move(self, client: aioimaplib.IMAP4, uid: int, folder: str) -> None:
        moved = await client.uid("move", str(uid), folder)
        if moved.result != "OK" and b"TRYCREATE" in b" ".join(bytes(x) for x in moved.lines):
            await client.create(folder)  # the folder does not exist yet: create it once
            moved = await client.uid("move", str(uid), folder)
        _ok(moved, "UID MOVE")

    async def _wait_for_news(self, client: aioimaplib.IMAP4, stop: asyncio.Event) -> None:
        if not client.has_capability("IDLE"):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.cfg.poll_s)
            return
        idle = await client.idle_start(timeout=self.cfg.poll_s)
        with contextlib.suppress(TimeoutError):
            await client.wait_server_push(timeout=self.cfg.poll_s + 1)
        client.idle_done()
        await asyncio.wait_for(idle, self.cfg.timeout)


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
