"""Telegram bot webhook edge: the bot's account from the path, its secret token header, then
the service's one intake.

``/webhooks/telegram/{bot id}`` (the URL given to each bot's setWebhook) routes to that bot's
account; the legacy ``/webhooks/telegram`` to the environment's bot (``telegram_bot_id``).
``X-Telegram-Bot-Api-Secret-Token`` must equal one of the account's ``secret_token`` values.
A tap on a survey button is answered (after Kafka acked) with the answerCallbackQuery call.
"""

from __future__ import annotations

from functools import partial

from hotline.accounts import AccountRegistry
from hotline.http import Rejected, ServiceState
from hotline.http.hotpath import Answer, Handler, Inbound
from social_ingest.providers.telegram import verify
from social_ingest.providers.telegram.normalize import normalize
from social_ingest.providers.telegram.outbound import survey_tap_answer
from social_ingest.routing import pins, verified
from social_ingest.webhook import Normalizer, webhooks

PATH = "/webhooks/telegram"
PER_BOT = PATH + "/*"
MAX_BOT_ID = 64


def post_handler(
    registry: AccountRegistry, default_bot: str, run: Normalizer | None = None
) -> Handler:
    """``default_bot``: the bot of the legacy path; ``run``: the normalizer (Telegram's, for
    the routed bot, unless given)."""

    async def receive(state: ServiceState, req: Inbound) -> Answer:
        bot = bot_of(req.path, default_bot)
        header = req.headers.get("x-telegram-bot-api-secret-token")

        def check(secret: str) -> bool:
            return verify.secret_ok(secret, header)

        routed = verified(registry, "telegram", [bot], "secret_token", check, "bad_secret_token")
        hooks = webhooks(state)
        normalizer = run or partial(normalize, bot_id=bot)
        answer = await hooks.answer(hooks.outcome(req.body, normalizer, PATH, pins(routed)), routed)
        thanks = survey_tap_answer(req.body) if answer.status == 200 else None
        return Answer(200, thanks) if thanks is not None else answer

    return receive


def bot_of(path: str, default_bot: str) -> str:
    """The bot id a request's path names (the legacy path: the environment's bot)."""
    if path.rstrip("/") in ("", PATH):
        return default_bot
    bot = path.rsplit("/", 1)[-1]
    if not bot or len(bot) > MAX_BOT_ID:
        raise Rejected(404, "unknown_account", "no such telegram bot path")
    return bot
