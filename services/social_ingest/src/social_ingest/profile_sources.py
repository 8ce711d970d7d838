"""Which providers have a profile API, bound to the configured API bases.

WhatsApp Cloud (the webhook carries ``contacts[].profile.name``) and Twilio SMS have no profile
API. Telegram updates carry the user's names already, and its photo URLs embed the bot token
(``/file/bot<token>/...``), which must never reach Kafka: not looked up either.
"""

from __future__ import annotations

from social_ingest.outbound import Call
from social_ingest.profiles import Source
from social_ingest.providers.messenger import profile as meta
from social_ingest.providers.x import profile as x
from social_ingest.settings import SocialSettings


def sources(settings: SocialSettings) -> dict[str, Source]:
    """Each lookup's token is the account's, given per call (``Source.request``)."""
    meta_base, x_base = settings.meta_api_base, settings.x_api_base

    def messenger(user: str, token: str) -> Call:
        return meta.request(user, meta_base, token, meta.MESSENGER_FIELDS)

    def instagram(user: str, token: str) -> Call:
        return meta.request(user, meta_base, token, meta.INSTAGRAM_FIELDS)

    def x_user(user: str, token: str) -> Call:
        return x.request(user, x_base, token)

    return {
        "messenger": Source(messenger, meta.read_messenger),
        "instagram": Source(instagram, meta.read_instagram),
        "x": Source(x_user, x.read),
    }
