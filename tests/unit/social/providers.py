"""Per-provider test specs for the edge tables: path, signer, good bodies, broken bodies."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from hotline import twilio
from social_ingest.context import Context
from social_ingest.providers.messenger.normalize import normalize as messenger
from social_ingest.providers.meta import verify as meta
from social_ingest.providers.telegram.normalize import normalize as telegram
from social_ingest.providers.twilio.normalize import normalize as sms
from social_ingest.providers.whatsapp.normalize import normalize as wa_normalize
from social_ingest.providers.x import verify as x
from social_ingest.providers.x.normalize import normalize as x_normalize
from social_ingest.webhook import Normalizer
from tests.unit.social.edges import META_SECRET, TG_SECRET, TWILIO_TOKEN, X_SECRET
from tests.unit.social.helpers import FIXTURES, named_cases

Signer = Callable[[bytes], dict[str, str]]
Doc = dict[str, Any]  # a decoded JSON webhook body, edited freely into broken shapes


@dataclass
class Provider:
    name: str
    path: str
    sign: Signer
    wrong: Signer  # a well-formed signature made with another secret
    good: dict[str, bytes]
    normalize: Normalizer
    broken: dict[str, bytes] = field(default_factory=dict)  # signed, wrong shape -> 422
    header: str = ""
    port: str = ""


def _meta_sign(secret: bytes) -> Signer:
    return lambda b: {
        "x-hub-signature-256": meta.sign(secret, b),
        "content-type": "application/json",
    }


def _x_sign(secret: bytes) -> Signer:
    return lambda b: {"x-twitter-webhooks-signature": x.sign(secret, b)}


def _tg_sign(secret: str) -> Signer:
    return lambda b: {"x-telegram-bot-api-secret-token": secret}


def twilio_signer(url: str, token: bytes = TWILIO_TOKEN.encode()) -> Signer:
    def sign(body: bytes) -> dict[str, str]:
        try:
            pairs = parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=bool(body))
        except (UnicodeDecodeError, ValueError):
            pairs = []
        return {
            "x-twilio-signature": twilio.sign(token, url, pairs),
            "content-type": "application/x-www-form-urlencoded",
        }

    return sign


def edit(body: bytes, change: Callable[[Doc], object]) -> bytes:
    doc: Doc = json.loads(body)
    change(doc)
    return json.dumps(doc).encode()


def _messaging(doc: Doc) -> Doc:
    messaging: Doc = doc["entry"][0]["messaging"][0]
    return messaging


def meta_broken(good: bytes, wrong_object: str) -> dict[str, bytes]:
    m = _messaging
    return {
        "wrong object for the route": edit(good, lambda d: d.update(object=wrong_object)),
        "unknown object type": edit(good, lambda d: d.update(object="telepathy")),
        "object missing": edit(good, lambda d: d.pop("object")),
        "entry missing": edit(good, lambda d: d.pop("entry")),
        "entry a string": edit(good, lambda d: d.update(entry="x")),
        "entry id missing": edit(good, lambda d: d["entry"][0].pop("id")),
        "messaging not a list": edit(good, lambda d: d["entry"][0].update(messaging={})),
        "sender missing": edit(good, lambda d: m(d).pop("sender")),
        "sender id a number": edit(good, lambda d: m(d).update(sender={"id": 5})),
        "recipient missing": edit(good, lambda d: m(d).pop("recipient")),
        "timestamp a string": edit(good, lambda d: m(d).update(timestamp="soon")),
        "message mid missing": edit(good, lambda d: m(d).update(message={"text": "x"})),
        "message text a number": edit(good, lambda d: m(d).update(message={"mid": "m", "text": 1})),
        "attachments not a list": edit(
            good, lambda d: m(d).update(message={"mid": "m", "attachments": {}})
        ),
        "reaction action unknown": edit(
            good, lambda d: m(d).update(reaction={"mid": "m", "action": "love"})
        ),
        "delivery mids not a list": edit(good, lambda d: m(d).update(delivery={"mids": "m"})),
        "postback payload a list": edit(good, lambda d: m(d).update(postback={"payload": []})),
        "edit without mid": edit(good, lambda d: m(d).update(message_edit={"text": "x"})),
        "echo flag a string": edit(
            good, lambda d: m(d).update(message={"mid": "m", "is_echo": "yes"})
        ),
    }


def x_broken(good: bytes) -> dict[str, bytes]:
    def dm(d: Doc) -> Doc:
        event: Doc = d["direct_message_events"][0]
        return event

    return {
        "for_user_id missing": edit(good, lambda d: d.pop("for_user_id")),
        "for_user_id a number": edit(good, lambda d: d.update(for_user_id=1)),
        "events not a list": edit(good, lambda d: d.update(direct_message_events={})),
        "event id missing": edit(good, lambda d: dm(d).pop("id")),
        "event type missing": edit(good, lambda d: dm(d).pop("type")),
        "sender_id missing": edit(good, lambda d: dm(d)["message_create"].pop("sender_id")),
        "target missing": edit(good, lambda d: dm(d)["message_create"].pop("target")),
        "message_data missing": edit(good, lambda d: dm(d)["message_create"].pop("message_data")),
        "text a number": edit(
            good, lambda d: dm(d)["message_create"]["message_data"].update(text=3)
        ),
        "users a list": edit(good, lambda d: d.update(users=[])),
        "user without id": edit(good, lambda d: d.update(users={"1": {"name": "x"}})),
        "mark_read without last id": edit(
            good,
            lambda d: d.update(
                direct_message_mark_read_events=[
                    {"sender_id": "1", "target": {"recipient_id": "2"}}
                ]
            ),
        ),
        "created_timestamp a list": edit(good, lambda d: dm(d).update(created_timestamp=[1])),
        "attachment type missing": edit(
            good, lambda d: dm(d)["message_create"]["message_data"].update(attachment={})
        ),
        "quick reply metadata a number": edit(
            good,
            lambda d: dm(d)["message_create"]["message_data"].update(
                quick_reply_response={"metadata": 1}
            ),
        ),
        "message_create a string": edit(good, lambda d: dm(d).update(message_create="x")),
        "target recipient missing": edit(good, lambda d: dm(d)["message_create"].update(target={})),
    }


def tg_broken(good: bytes) -> dict[str, bytes]:
    def msg(d: Doc) -> Doc:
        message: Doc = d["message"]
        return message

    return {
        "update_id missing": edit(good, lambda d: d.pop("update_id")),
        "update_id a string": edit(good, lambda d: d.update(update_id="1")),
        "message a list": edit(good, lambda d: d.update(message=[])),
        "message_id missing": edit(good, lambda d: msg(d).pop("message_id")),
        "chat missing": edit(good, lambda d: msg(d).pop("chat")),
        "chat id a string": edit(good, lambda d: msg(d).update(chat={"id": "x"})),
        "date missing": edit(good, lambda d: msg(d).pop("date")),
        "from id missing": edit(good, lambda d: msg(d).update(**{"from": {"first_name": "x"}})),
        "text a number": edit(good, lambda d: msg(d).update(text=5)),
        "photo not a list": edit(good, lambda d: msg(d).update(photo={})),
        "photo without file_id": edit(good, lambda d: msg(d).update(photo=[{"width": 1}])),
        "location without latitude": edit(good, lambda d: msg(d).update(location={"longitude": 1})),
        "contact without phone": edit(good, lambda d: msg(d).update(contact={"first_name": "x"})),
        "reply_to without id": edit(good, lambda d: msg(d).update(reply_to_message={})),
        "callback without id": edit(good, lambda d: d.update(callback_query={"from": {"id": 1}})),
        "edited without chat": edit(
            good, lambda d: d.update(edited_message={"message_id": 1, "date": 1})
        ),
        "reaction without message_id": edit(
            good, lambda d: d.update(message_reaction={"chat": {"id": 1}, "date": 1})
        ),
        "sticker without file_id": edit(good, lambda d: msg(d).update(sticker={"emoji": "x"})),
        "venue without location": edit(good, lambda d: msg(d).update(venue={"title": "x"})),
        "callback data a number": edit(
            good, lambda d: d.update(callback_query={"id": "1", "from": {"id": 1}, "data": 7})
        ),
        "new_reaction not a list": edit(
            good,
            lambda d: d.update(
                message_reaction={"chat": {"id": 1}, "message_id": 1, "date": 1, "new_reaction": {}}
            ),
        ),
    }


def sms_broken(good: bytes) -> dict[str, bytes]:
    fields = dict(parse_qsl(good.decode()))

    def without(*names: str, **extra: str) -> bytes:
        return urlencode({**{k: v for k, v in fields.items() if k not in names}, **extra}).encode()

    return {
        "MessageSid missing": without("MessageSid"),
        "From missing": without("From"),
        "To missing": without("To"),
        "MessageSid empty": without(MessageSid=""),
        "NumMedia not a number": without(NumMedia="x"),
        "NumMedia too large": without(NumMedia="11"),
        "NumMedia without MediaUrl0": without(NumMedia="1"),
        "NumMedia 2 with one url": without(NumMedia="2", MediaUrl0="https://m/1"),
        "empty form": b"",
        "only Body": urlencode({"Body": "hi"}).encode(),
        "status without MessageSid": urlencode({"MessageStatus": "sent", "To": "+1"}).encode(),
        "status empty": urlencode({"MessageStatus": "", "MessageSid": "SM1"}).encode(),
        "negative NumMedia": without(NumMedia="-1"),
        "From empty": without(From=""),
        "To empty": without(To=""),
        "status with empty sid": urlencode({"MessageStatus": "failed", "MessageSid": ""}).encode(),
        "NumMedia blank": without(NumMedia=""),
    }


def fixtures(channel: str) -> dict[str, bytes]:
    return named_cases(FIXTURES / channel / "webhooks.json")


def _sms_fixtures() -> dict[str, bytes]:
    return {p.stem: p.read_bytes() for p in sorted((FIXTURES / "twilio").glob("*.form"))}


def providers(port: int) -> list[Provider]:
    sms_url = f"http://127.0.0.1:{port}/webhooks/sms"
    status_url = f"http://127.0.0.1:{port}/webhooks/sms/status"
    inbound = {k: v for k, v in _sms_fixtures().items() if not k.startswith("status")}
    statuses = {k: v for k, v in _sms_fixtures().items() if k.startswith("status")}
    ms, ig = fixtures("messenger"), fixtures("instagram")
    specs = [
        Provider(
            "messenger",
            "/webhooks/messenger",
            _meta_sign(META_SECRET.encode()),
            _meta_sign(b"other"),
            ms,
            lambda b, c: messenger(b, c, "page"),
            meta_broken(ms["text"], "instagram"),
            "x-hub-signature-256",
        ),
        Provider(
            "instagram",
            "/webhooks/instagram",
            _meta_sign(META_SECRET.encode()),
            _meta_sign(b"other"),
            ig,
            lambda b, c: messenger(b, c, "instagram"),
            meta_broken(ig["text"], "page"),
            "x-hub-signature-256",
        ),
        Provider(
            "x",
            "/webhooks/x",
            _x_sign(X_SECRET.encode()),
            _x_sign(b"other"),
            fixtures("x"),
            x_normalize,
            x_broken(fixtures("x")["text"]),
            "x-twitter-webhooks-signature",
        ),
        Provider(
            "telegram",
            "/webhooks/telegram",
            _tg_sign(TG_SECRET),
            _tg_sign("other"),
            fixtures("telegram"),
            lambda b, c: telegram(b, c, "bot"),
            tg_broken(fixtures("telegram")["text"]),
            "x-telegram-bot-api-secret-token",
        ),
        Provider(
            "sms",
            "/webhooks/sms",
            twilio_signer(sms_url),
            twilio_signer(sms_url, b"other"),
            inbound,
            sms,
            sms_broken(inbound["inbound_sms"]),
            "x-twilio-signature",
        ),
        Provider(
            "sms-status",
            "/webhooks/sms/status",
            twilio_signer(status_url),
            twilio_signer(status_url, b"other"),
            statuses,
            sms,
            {},
            "x-twilio-signature",
        ),
    ]
    for spec in specs:
        spec.port = str(port)
    return specs


def whatsapp(corpora: Path, port: int) -> Provider:
    """WhatsApp Cloud: every case of pywa's recorded updates (read from the corpora)."""
    root = corpora / "david-lev-pywa" / "tests" / "data" / "updates"
    good = {
        f"{f.stem}:{name}": body
        for f in sorted(root.glob("*.json"))
        for name, body in named_cases(f).items()
    }
    sign = _meta_sign(META_SECRET.encode())
    spec = Provider(
        "whatsapp", "/webhooks/whatsapp", sign, _meta_sign(b"other"), good, wa_normalize
    )
    spec.header, spec.port = "x-hub-signature-256", str(port)
    return spec


__all__ = ["Context", "Provider", "providers", "whatsapp"]
