"""What the service owns between start-up and shutdown (the app's lifespan): the one intake
every provider edge hands its outcome to (with the profile enricher as its ``prepare``), the
window store fed by a ConsumerLoop over our own inbound topic, and the replies ConsumerLoop.
Loops that stop (Kafka gone, retries exhausted) are restarted after a pause; shutdown stops
them before closing."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from functools import cached_property

import httpx

from hotline import events as ev
from hotline.accounts import AccountRegistry
from hotline.blobs import BlobStore, open_blob_store
from hotline.http import ServiceState
from hotline.intake import Intake, KafkaPublisher, Publisher
from hotline.kafka import ConsumerLoop
from hotline.kafka.consumer import InRecord, LoopSettings
from hotline.topics import INBOUND_SOCIAL, REPLIES_SOCIAL
from social_ingest.credentials import Tokens
from social_ingest.media import MediaCopier, copy_counter
from social_ingest.media_sources import media_source
from social_ingest.profile_sources import sources
from social_ingest.profiles import Enricher, lookup_counter
from social_ingest.replies import Replies, decode_reply
from social_ingest.settings import SocialSettings
from social_ingest.webhook import WEBHOOKS, Webhooks, contexts
from social_ingest.window_store import WindowStore

log = logging.getLogger(__name__)
# The window feed may lag by a fraction of a second; fetching in larger batches keeps its
# fetches and offset commits from costing the broker as much as the ingest itself.
BATCHED_FETCH = {"fetch_min_bytes": 256 * 1024, "fetch_max_wait_ms": 250}


@dataclass
class SocialService:
    settings: SocialSettings
    # the channel accounts: routed to by the edges, their tokens used by replies, media, profiles
    accounts: AccountRegistry
    publisher: Publisher | None = None  # None: Kafka, through the app's producer
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    store: WindowStore | None = None
    client: httpx.AsyncClient | None = None
    enricher: Enricher | None = None
    media_client: httpx.AsyncClient | None = None

    def tokens(self) -> Tokens:
        return Tokens(self.accounts, self.settings)

    @cached_property
    def blobs(self) -> BlobStore:
        """One store (one S3 client) for copied media and reply files alike."""
        return open_blob_store(self.settings, self.settings.blob_dir)

    async def start(self, state: ServiceState) -> None:
        if self.settings.profiles_enabled:
            self._start_profiles(state)
        state.extras[WEBHOOKS] = self.webhooks(state)
        if self.settings.replies_enabled:
            self._start_replies(state)

    def webhooks(self, state: ServiceState) -> Webhooks:
        """The one intake (every edge's retries and copies: one record; cached profiles filled
        in before the produce) and each webhook's context (tenant per channel account)."""
        publisher = self.publisher or KafkaPublisher(state.producer)
        prepare = self.enricher.enrich if self.enricher else None
        intake = Intake(publisher, state.metrics, prepare=prepare)
        return Webhooks(intake, contexts(self.settings), self._media(state))

    def _media(self, state: ServiceState) -> MediaCopier | None:
        s = self.settings
        if not s.media_copy:
            return None
        self.media_client = httpx.AsyncClient(timeout=httpx.Timeout(s.media_budget, connect=2.0))
        return MediaCopier(
            self.blobs,
            media_source(s),
            self.media_client,
            self.tokens(),
            budget=s.media_budget,
            attempts=s.media_attempts,
            max_bytes=s.media_max_bytes,
            counter=copy_counter(state.metrics.registry),
        )

    def _start_profiles(self, state: ServiceState) -> None:
        counter = lookup_counter(state.metrics.registry)
        token = self.tokens().token
        self.enricher = Enricher(self.settings, sources(self.settings), counter, token=token)
        state.tasks.extend(self.enricher.start())

    def _start_replies(self, state: ServiceState) -> None:
        s = self.settings
        self.store = store = WindowStore(s.windows_db)
        self.client = httpx.AsyncClient(timeout=httpx.Timeout(s.reply_timeout, connect=2.0))
        feed = ConsumerLoop(
            LoopSettings(s.kafka_bootstrap, store.group, [INBOUND_SOCIAL], extra=BATCHED_FETCH),
            decode=_decode_event,
            handle=store.handle,
            producer=state.producer,
            offset_store=store,
            metrics=state.metrics,
        )
        replies = ConsumerLoop(
            LoopSettings(s.kafka_bootstrap, s.replies_group, [REPLIES_SOCIAL], poll_timeout_ms=200),
            decode=decode_reply,
            handle=Replies(
                s,
                store,
                self.client,
                state.producer.publish,
                blobs=self.blobs,
                accounts=self.accounts,
            ),
            producer=state.producer,
            metrics=state.metrics,
        )
        self.tasks = [asyncio.create_task(self._supervise(loop)) for loop in (feed, replies)]
        state.tasks.extend(self.tasks)  # cancelled by the app's shutdown if still running

    async def _supervise(
        self, loop: ConsumerLoop[ev.Event] | ConsumerLoop[ev.ReplyRequested]
    ) -> None:
        while not self.stop.is_set():
            try:
                await loop.run(self.stop)
            except Exception as exc:
                log.error("consumer loop stopped; restarting", extra={"error": repr(exc)})
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stop.wait(), 1.0)

    async def close(self, state: ServiceState) -> None:
        self.stop.set()
        if self.tasks:
            await asyncio.wait(self.tasks, timeout=10)
        for client in (self.client, self.media_client):
            if client:
                await client.aclose()
        if self.enricher:
            await self.enricher.close()
        if self.store:
            self.store.close()


def _decode_event(record: InRecord) -> ev.Event:
    return ev.decode(record.value or b"")
