"""social_ingest: the FastAPI app (webhook edges per provider, replies consumer)."""

from __future__ import annotations

from functools import partial

from fastapi import FastAPI

from hotline.accounts import AccountRegistry
from hotline.accounts.following import followed
from hotline.http import create_service_app
from hotline.http.hotpath import Handler, serve_posts
from hotline.intake import Publisher
from social_ingest.accounts import registry_for
from social_ingest.providers.messenger.normalize import normalize as messenger
from social_ingest.providers.meta import edge as meta
from social_ingest.providers.telegram import edge as telegram
from social_ingest.providers.twilio import edge as twilio
from social_ingest.providers.whatsapp.normalize import normalize as whatsapp
from social_ingest.providers.x import edge as x
from social_ingest.service import SocialService
from social_ingest.settings import SocialSettings
from social_ingest.webhook import Normalizer

META: tuple[tuple[str, Normalizer], ...] = (
    ("/webhooks/whatsapp", whatsapp),
    ("/webhooks/messenger", partial(messenger, expect="page")),
    ("/webhooks/instagram", partial(messenger, expect="instagram")),
)


def create_app(
    settings: SocialSettings | None = None, publisher: Publisher | None = None
) -> FastAPI:
    """``publisher``: where the edges' events go (Kafka through the app's producer unless
    given; tests pass ``hotline.intake.MemoryPublisher``)."""
    settings = settings or SocialSettings()
    accounts = registry_for(settings)
    service = SocialService(settings, accounts, publisher)
    app = create_service_app(
        settings,
        on_start=service.start,
        on_stop=service.close,
        accounts=followed(accounts, publisher),
    )
    serve_posts(app, _posts(settings, accounts))
    app.state.social = service
    app.state.accounts = accounts  # the feed of managed accounts fills it (hotline.accounts)
    app.include_router(x.crc_router(accounts))
    for path, _ in META:
        app.include_router(meta.handshake_router(path, accounts))
    return app


def _posts(settings: SocialSettings, accounts: AccountRegistry) -> dict[str, Handler]:
    posts = {path: meta.post_handler(path, run, accounts) for path, run in META}
    posts[x.PATH] = x.post_handler(accounts)
    edge = telegram.post_handler(accounts, settings.telegram_bot_id)
    posts[telegram.PATH] = posts[telegram.PER_BOT] = edge
    for path in twilio.PATHS:
        posts[path] = twilio.post_handler(accounts, settings, path)
    return posts


def bootstrap() -> tuple[FastAPI, SocialSettings]:
    settings = SocialSettings()
    return create_app(settings), settings  # hotline.http.serve tunes the collector
