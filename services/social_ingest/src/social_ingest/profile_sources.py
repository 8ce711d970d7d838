"""Which providers have a profile API, bound to the configured API bases and tokens.

WhatsApp Cloud (the webhook carries ``contacts[].profile.name``) and Twilio SMS have no profile
API. Telegram updates carry the user's names already, and its photo URLs embed the bot token
(``/file/bot<token>/...``), which must never reach Kafka: not looked up either.
"""

from __future__ import annotations

from functools import partial

from social_ingest.profiles import Source
from social_ingest.providers.messenger import profile as meta
from social_ingest.providers.x import profile as x
from social_ingest.settings import SocialSettings


def sources(settings: SocialSettings) -> dict[str, Source]:
    base, token = settings.meta_api_base, settings.meta_page_token.get_secret_value()
    messenger = partial(meta.request, base=base, token=token, fields=meta.MESSENGER_FIELDS)
    instagram = partial(meta.request, base=base, token=token, fields=meta.INSTAGRAM_FIELDS)
    bearer = settings.x_bearer_token.get_secret_value()
    return {
        "messenger": Source(messenger, meta.read_messenger),
        "instagram": Source(instagram, meta.read_instagram),
        "x": Source(partial(x.request, base=settings.x_api_base, token=bearer), x.read),
    }
