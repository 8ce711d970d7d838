"""Copy the customer's media into the blob store while the provider's link still works.

Provider links expire (WhatsApp media URLs within minutes, Messenger/Instagram CDN URLs within
days), so the edge copies each attachment before it publishes the event, within a time budget
(``media_budget``, inside the provider's webhook timeout) and with retries (``media_attempts``,
backoff) for what may pass: timeouts, connection errors, 429 and 5xx. What cannot be copied
keeps the provider's ref and says why in ``AttachmentRef.fetch_error`` ("http 404",
"timeout", ...): the agent sees a failed file, never a silent gap. The fetching itself is
``hotline.blobs.fetch`` (shared with call recordings); this module picks the attachments and
the credentials.

Where the bytes are: ``provider:whatsapp/<id>`` (Graph API lookup, then the URL, both with the
token), ``provider:telegram/<file_id>`` (getFile, then the file path), a plain https URL
(Messenger/Instagram CDN, Twilio MMS with the account's Basic auth, X). Only hosts in
``media_hosts`` (by domain suffix) are fetched. The token is the newest of the channel account
the event arrived on (``credentials.Tokens``); an account without one: ``no_token``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import httpx
from prometheus_client import CollectorRegistry, Counter

from hotline import events as ev
from hotline.accounts import Account
from hotline.blobs import PREFIX, BlobStore
from hotline.blobs.fetch import BlobFetcher, FetchLimits, Locate
from social_ingest.credentials import Tokens
from social_ingest.media_sources import Origin, Source


class MediaCopier:
    def __init__(
        self,
        store: BlobStore,
        source: Source,
        client: httpx.AsyncClient,
        tokens: Tokens,
        *,
        budget: float,
        attempts: int,
        max_bytes: int,
        counter: Counter | None = None,
    ) -> None:
        self.source, self.client, self.tokens, self.counter = source, client, tokens, counter
        limits = FetchLimits(budget, attempts, max_bytes, source.hosts)
        self.fetcher = BlobFetcher(store, client, limits)

    async def copy(self, events: Sequence[ev.Event], routed: Sequence[Account] = ()) -> None:
        """Store every attachment not yet stored, with the token of the account its event
        arrived on (``routed``: the accounts the webhook was routed to); what is left says why
        in ``fetch_error``."""
        todo = [
            (a, self._locate(a, e.channel, routed))
            for e in events
            if isinstance(e, ev.MessageReceived)
            for a in e.attachments
            if not a.ref.startswith(PREFIX)
        ]
        await self.fetcher.fetch_all(todo)
        for a, _ in todo:
            if self.counter:
                self.counter.labels("failed" if a.fetch_error else "stored").inc()

    def _locate(
        self, a: ev.AttachmentRef, channel: ev.ChannelRef, routed: Sequence[Account]
    ) -> Locate:
        auth = self.tokens.of(channel.kind, channel.account_id, routed)
        return partial(self.source.locate, a.ref, self.client, Origin(channel.kind, auth))


def copy_counter(registry: CollectorRegistry) -> Counter:
    return Counter(
        "hotline_media_copies",
        "Provider media copied into the blob store, by outcome (stored/failed)",
        ["outcome"],
        registry=registry,
    )
