"""Telegram bot webhook edge: the secret token header, then the service's one intake."""

from __future__ import annotations

from functools import partial

from hotline.http import Rejected, ServiceState
from hotline.http.hotpath import Answer, Handler, Inbound
from social_ingest.providers.telegram import verify
from social_ingest.providers.telegram.normalize import normalize
from social_ingest.settings import SocialSettings
from social_ingest.webhook import Normalizer, webhooks

PATH = "/webhooks/telegram"


def post_handler(settings: SocialSettings, run: Normalizer | None = None) -> Handler:
    """``run``: the normalizer (Telegram's, for the configured bot, unless given)."""
    secret = settings.telegram_secret_token.get_secret_value()
    run = run or partial(normalize, bot_id=settings.telegram_bot_id)

    async def receive(state: ServiceState, req: Inbound) -> Answer:
        if not verify.secret_ok(secret, req.headers.get("x-telegram-bot-api-secret-token")):
            raise Rejected(401, "bad_secret_token")
        hooks = webhooks(state)
        return await hooks.answer(hooks.outcome(req.body, run, PATH))

    return receive
