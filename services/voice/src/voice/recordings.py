"""Recordings copied from the provider into the blob store before their event is published
(``hotline.recordings.fetch_recording``), with the routed account's credentials:

* Twilio: HTTP Basic ``AccountSid:auth_token`` (the AccountSid the callback named);
* Vonage: a JWT (RS256) signed with the account's ``private_key`` for its
  ``application_id``, made fresh for each attempt; an account without a key cannot download:
  its recordings are published with ``fetch_error="no_credentials"``, visible, not dropped.

Each ``call.recording`` / ``call.voicemail`` (they share one file) gets the ref the fetch
returns: the blob's, its size and sha256, and still the provider's ``source_url``; or the
provider's ref with ``fetch_error``. A recording the source already reported as failed, or
one without a URL, is published as it is.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence

import httpx
import jwt
import msgspec

from hotline import events as ev
from hotline.accounts import Account
from hotline.blobs.fetch import FetchLimits
from hotline.blobs.store import BlobStore
from hotline.recordings import AuthHeaders, basic_auth, bearer, fetch_recording
from voice.accounts import source_of

NO_CREDENTIALS = "no_credentials"
TOKEN_SECONDS = 300  # a Vonage download token's lifetime
WithRecording = ev.CallRecording | ev.CallVoicemail


class NotFetched(Exception):
    """A document (a transcript) that could not be downloaded: why ("http 404", ...)."""


class RecordingCopier:
    def __init__(self, store: BlobStore, client: httpx.AsyncClient, limits: FetchLimits) -> None:
        self.store, self.client, self.limits = store, client, limits

    async def copy(self, events: Sequence[ev.Event], account: Account) -> list[ev.Event]:
        """``events`` with each recording copied (once per file)."""
        copied: dict[str, ev.AttachmentRef] = {}
        out: list[ev.Event] = []
        for event in events:
            found = event.recording if isinstance(event, WithRecording) else None
            if found is None or not _wanted(found):
                out.append(event)
                continue
            if found.ref not in copied:
                copied[found.ref] = await self._fetched(found, account, event.channel.account_id)
            out.append(msgspec.structs.replace(event, recording=copied[found.ref]))
        return out

    async def _fetched(
        self, recording: ev.AttachmentRef, account: Account, account_id: str
    ) -> ev.AttachmentRef:
        auth = credentials(account, account_id)
        if auth is None:
            return msgspec.structs.replace(recording, fetch_error=NO_CREDENTIALS)
        url = recording.source_url or ""
        return await fetch_recording(
            recording, url, auth, store=self.store, client=self.client, limits=self.limits
        )

    async def download(self, url: str, account: Account, account_id: str) -> bytes:
        """The document at ``url`` (a transcript), fetched like a recording (into the store,
        then read back); ``NotFetched`` when it cannot be had."""
        auth = credentials(account, account_id)
        if auth is None:
            raise NotFetched(NO_CREDENTIALS)
        document = ev.AttachmentRef(ref=f"provider:{url}", mime_type="application/json")
        got = await fetch_recording(
            document, url, auth, store=self.store, client=self.client, limits=self.limits
        )
        if got.fetch_error:
            raise NotFetched(got.fetch_error)
        return await asyncio.to_thread(self.store.get, got.ref)


def _wanted(recording: ev.AttachmentRef) -> bool:
    return recording.fetch_error is None and bool(recording.source_url)


def credentials(account: Account, account_id: str) -> AuthHeaders | None:
    """How to download ``account``'s recordings (None: it cannot)."""
    source = source_of(account)
    if source == "twilio":
        token = account.secret("auth_token")
        return basic_auth(account_id, token) if token else None
    key = account.secret("private_key")
    if source == "vonage" and key:
        return bearer(lambda: vonage_token(key, account_id, time.time()))
    return None


def vonage_token(private_key: str, application_id: str, now: float) -> str:
    """A Vonage application JWT (RS256): what its media API takes to download a file."""
    claims = {
        "application_id": application_id,
        "iat": int(now),
        "exp": int(now) + TOKEN_SECONDS,
        "jti": str(uuid.uuid4()),
    }
    return jwt.encode(claims, private_key, algorithm="RS256")
