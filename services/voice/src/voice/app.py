"""voice: the FastAPI app (the call callbacks of each telephony source, on the lean webhook
hot path), its one intake and its account registry."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from hotline.accounts import AccountRegistry
from hotline.accounts.following import followed
from hotline.blobs import open_blob_store
from hotline.http import ServiceState, create_service_app
from hotline.http.hotpath import Handler, serve_posts
from hotline.intake import Intake, KafkaPublisher, Publisher
from voice.accounts import registry_for
from voice.intake import COPIER, INTAKE, TRANSCRIPTS
from voice.providers.cti import edge as cti
from voice.providers.twilio import edge as twilio
from voice.providers.vonage import edge as vonage
from voice.recordings import RecordingCopier
from voice.settings import VoiceSettings
from voice.transcripts import TranscriptFetcher, transcript_counter


def create_app(
    settings: VoiceSettings | None = None, publisher: Publisher | None = None
) -> FastAPI:
    """``publisher``: where the edges' events go (Kafka through the app's producer unless
    given; tests pass ``hotline.intake.MemoryPublisher``)."""
    settings = settings or VoiceSettings()
    accounts = registry_for(settings)

    async def start(state: ServiceState) -> None:
        intake = Intake(publisher or KafkaPublisher(state.producer), state.metrics)
        state.extras[INTAKE] = intake  # retries and copies of a callback: one record
        copier = copier_for(settings) if settings.recordings_copy else None
        if copier:
            state.extras[COPIER] = copier
        counter = transcript_counter(state.metrics.registry)
        state.extras[TRANSCRIPTS] = TranscriptFetcher(copier, counter)

    async def stop(state: ServiceState) -> None:
        copier = state.extras.get(COPIER)
        if isinstance(copier, RecordingCopier):
            await copier.client.aclose()

    app = create_service_app(
        settings, on_start=start, on_stop=stop, accounts=followed(accounts, publisher)
    )
    serve_posts(app, posts(settings, accounts))
    app.state.accounts = accounts  # the feed of managed accounts fills it (hotline.accounts)
    return app


def posts(settings: VoiceSettings, accounts: AccountRegistry) -> dict[str, Handler]:
    return {
        twilio.PATH: twilio.post_handler(accounts, settings),
        vonage.PATH: vonage.post_handler(accounts, settings),
        cti.PATH: cti.post_handler(accounts, settings),
    }


def copier_for(settings: VoiceSettings) -> RecordingCopier:
    """Recordings into the configured blob store; one request may take the whole budget."""
    timeout = httpx.Timeout(settings.recording_budget, connect=2.0)
    store = open_blob_store(settings, settings.blob_dir)
    return RecordingCopier(store, httpx.AsyncClient(timeout=timeout), settings.recording_limits())


def bootstrap() -> tuple[FastAPI, VoiceSettings]:
    settings = VoiceSettings()
    return create_app(settings), settings  # hotline.http.serve tunes the collector
