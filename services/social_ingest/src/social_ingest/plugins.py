"""``hotline normalize CHANNEL FILE``: the pure normalizers as channel plugins (entry points).

A file holds one webhook body, or (the corpus layout) a JSON object of named bodies, each
normalized in order, or a raw HTTP request capture whose signature ``hotline normalize
--secret`` checks as the edge would (Meta: the app secret; X: the consumer secret; Telegram:
the secret token; Twilio: the auth token, over the capture's URL). Ops records
(``ops.update.v1``, for ``hotline.ops``) are printed beside the events, encoded exactly as
they go to Kafka.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import msgspec

from hotline import events
from hotline.capture import HttpRequest
from hotline.channels import ChannelPlugin
from hotline.http import Rejected
from social_ingest.context import Context
from social_ingest.ops import Normalized

Normalizer = Callable[[bytes, Context], Normalized]
Check = Callable[[HttpRequest, str], bool]  # the edge's signature check, pure
_named = msgspec.json.Decoder(dict[str, msgspec.Raw])


def cases(body: bytes, marker: bytes) -> list[bytes]:
    """The bodies in a file: the whole file, or each value of a {name: body} bundle."""
    try:
        top = _named.decode(body)
    except msgspec.ValidationError:
        return [body]  # not an object of objects: let the normalizer report it
    if marker.decode() in top or not top:
        return [body]
    return [bytes(v) for v in top.values()]


def plugin(
    name: str, description: str, run: Normalizer, marker: bytes | None, check: Check
) -> ChannelPlugin:
    """``marker``: the top-level key of one body (None: the format has no JSON bundles)."""

    def normalize(body: bytes) -> list[events.Event]:
        ctx = Context.now(region="US")
        out = Normalized()
        for case in cases(body, marker) if marker else [body]:
            out.extend(run(case, ctx))
        return [*out.events, *cast(list[events.Event], out.ops)]

    def request(req: HttpRequest, secret: str | None) -> list[events.Event]:
        if secret is not None and not check(req, secret):
            raise Rejected(401, "bad_signature", "the signature does not match this secret")
        return normalize(req.body)

    return ChannelPlugin(name=name, description=description, normalize=normalize, request=request)


def _meta_check(req: HttpRequest, secret: str) -> bool:
    from social_ingest.providers.meta.verify import signature_ok

    return signature_ok(secret.encode(), req.body, req.header("x-hub-signature-256"))


def _x_check(req: HttpRequest, secret: str) -> bool:
    from social_ingest.providers.x.verify import signature_ok

    return signature_ok(secret.encode(), req.body, req.header("x-twitter-webhooks-signature"))


def _telegram_check(req: HttpRequest, secret: str) -> bool:
    from social_ingest.providers.telegram.verify import secret_ok

    return secret_ok(secret, req.header("x-telegram-bot-api-secret-token"))


def _twilio_check(req: HttpRequest, secret: str) -> bool:
    from hotline.twilio import parse_form, signature_ok

    pairs = parse_form(req.body).pairs
    return signature_ok(secret.encode(), req.url, pairs, req.header("x-twilio-signature"))


def _whatsapp(body: bytes, ctx: Context) -> Normalized:
    from social_ingest.providers.whatsapp.normalize import normalize

    return normalize(body, ctx)


whatsapp = plugin("whatsapp", "WhatsApp Cloud API webhooks", _whatsapp, b"object", _meta_check)


def _messenger(body: bytes, ctx: Context) -> Normalized:
    from social_ingest.providers.messenger.normalize import normalize

    return normalize(body, ctx)


messenger = plugin(
    "messenger", "Messenger Platform webhooks (object=page)", _messenger, b"object", _meta_check
)
instagram = plugin("instagram", "Instagram Messaging webhooks", _messenger, b"object", _meta_check)


def _x(body: bytes, ctx: Context) -> Normalized:
    from social_ingest.providers.x.normalize import normalize

    return normalize(body, ctx)


def _telegram(body: bytes, ctx: Context) -> Normalized:
    from social_ingest.providers.telegram.normalize import normalize

    return normalize(body, ctx)


def _sms(body: bytes, ctx: Context) -> Normalized:
    from social_ingest.providers.twilio.normalize import normalize

    return normalize(body, ctx)


x = plugin("x", "X Account Activity webhooks (direct messages)", _x, b"for_user_id", _x_check)
telegram = plugin(
    "telegram", "Telegram bot webhook updates", _telegram, b"update_id", _telegram_check
)
sms = plugin(
    "sms", "Twilio SMS/MMS webhooks and status callbacks (form bodies)", _sms, None, _twilio_check
)
