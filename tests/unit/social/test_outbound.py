"""Outbound requests per provider (pure) and provider answers -> sent / failed / window_closed."""

from __future__ import annotations

import json

import msgspec
import pytest

from hotline import events as ev
from hotline.kafka.errors import PermanentError
from social_ingest.providers.messenger import outbound as meta
from social_ingest.providers.telegram import outbound as telegram
from social_ingest.providers.twilio import outbound as twilio
from social_ingest.providers.whatsapp import outbound as whatsapp
from social_ingest.providers.x import outbound as x
from tests.unit.social.helpers import T0


def reply(kind: ev.ChannelKind, account: str, to: str, **kw: object) -> ev.ReplyRequested:
    return ev.ReplyRequested(
        event_id="e",
        reply_id="r1",
        tenant="acme",
        channel=ev.ChannelRef(kind=kind, account_id=account),
        conversation_id="c1",
        recipient=to,
        content=ev.TextContent(text="On its way!"),
        requested_at=T0,
        requested_by="agent-7",
        **kw,  # type: ignore[arg-type]
    )


def test_whatsapp_text_template_and_context() -> None:
    r = reply(
        "whatsapp",
        "pn-1",
        "4915112345678",
        thread=ev.ThreadHints(replied_to_message_id="wamid.in"),
        template="order_update",
    )
    text = whatsapp.request(r, "http://api", "tok", "free")
    assert text.url == "http://api/pn-1/messages"
    assert text.headers == {"authorization": "Bearer tok"}
    assert text.json == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "4915112345678",
        "type": "text",
        "text": {"body": "On its way!", "preview_url": False},
        "context": {"message_id": "wamid.in"},
    }
    tmpl = whatsapp.request(r, "http://api", "tok", "template")
    assert tmpl.json is not None and tmpl.json["type"] == "template"
    assert tmpl.json["template"] == {"name": "order_update", "language": {"code": "en_US"}}


def test_whatsapp_media_upload_then_image_or_document_message() -> None:
    pic = ev.AttachmentRef(ref="blob:sha256/a", mime_type="image/png", filename="p.png")
    pdf = ev.AttachmentRef(ref="blob:sha256/b", mime_type="application/pdf", filename="i.pdf")
    r = reply("whatsapp", "pn-1", "4915112345678", attachments=[pic, pdf])
    up = whatsapp.media_upload(r, pdf, b"%PDF-", "http://api", "tok")
    assert up.url == "http://api/pn-1/media" and up.json is None
    assert up.form == {"messaging_product": "whatsapp", "type": "application/pdf"}
    assert up.files == {"file": ("i.pdf", b"%PDF-", "application/pdf")}
    image = whatsapp.media_message(r, pic, "77", "On its way!", "http://api", "tok")
    assert image.url == "http://api/pn-1/messages" and image.json is not None
    assert (image.json["type"], image.json["image"]) == (
        "image", {"id": "77", "caption": "On its way!"},
    )  # fmt: skip
    doc = whatsapp.media_message(r, pdf, "78", None, "http://api", "tok")
    assert doc.json is not None and doc.json["document"] == {"id": "78", "filename": "i.pdf"}
    assert whatsapp.uploaded(200, b'{"id": "77"}').provider_message_id == "77"
    assert whatsapp.uploaded(503, b"{}").retryable


def test_whatsapp_template_with_language_and_body_parameters() -> None:
    r = reply(
        "whatsapp",
        "pn-1",
        "4915112345678",
        template="order_update",
        template_language="de",
        template_params=["Maria", "<b>4711</b>"],
    )
    call = whatsapp.request(r, "http://api", "tok", "template")
    assert call.url == "http://api/pn-1/messages"
    assert call.json == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "4915112345678",
        "type": "template",
        "template": {
            "name": "order_update",
            "language": {"code": "de"},
            "components": [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": "Maria"},
                        {"type": "text", "text": "<b>4711</b>"},
                    ],
                }
            ],
        },
    }
    free = whatsapp.request(r, "http://api", "tok", "free")  # inside the window: the text
    assert free.json is not None and free.json["text"]["body"] == "On its way!"


def test_meta_response_and_human_agent_tag() -> None:
    r = reply("messenger", "page-1", "psid-9")
    assert meta.request(r, "http://api", "t", "free").json == {
        "recipient": {"id": "psid-9"},
        "message": {"text": "On its way!"},
        "messaging_type": "RESPONSE",
    }
    tagged = meta.request(r, "http://api", "t", "human_agent").json
    assert tagged is not None and (tagged["messaging_type"], tagged["tag"]) == (
        "MESSAGE_TAG",
        "HUMAN_AGENT",
    )


def test_telegram_twilio_x_requests() -> None:
    tg = telegram.request(
        reply("telegram", "bot", "123", thread=ev.ThreadHints(replied_to_message_id="123:11")),
        "http://api",
        "T0K",
        "free",
    )
    assert tg.url == "http://api/botT0K/sendMessage"
    assert tg.json == {
        "chat_id": "123",
        "text": "On its way!",
        "reply_parameters": {"message_id": 11, "allow_sending_without_reply": True},
    }
    sms = twilio.request(reply("sms", "+15005550006", "+14155552671"), "http://api", "AC1", "tk")
    assert (sms.url, sms.auth) == ("http://api/Accounts/AC1/Messages.json", ("AC1", "tk"))
    assert sms.form == {"To": "+14155552671", "From": "+15005550006", "Body": "On its way!"}
    dm = x.request(reply("x", "me", "3001"), "http://api", "b", "free")
    assert dm.url == "http://api/dm_conversations/with/3001/messages"


def test_only_text_replies_are_supported() -> None:
    loc = ev.LocationContent(latitude=1, longitude=2)
    r = msgspec.structs.replace(reply("telegram", "bot", "1"), content=loc)
    with pytest.raises(PermanentError):
        telegram.request(r, "http://api", "t", "free")


def j(doc: object) -> bytes:
    return json.dumps(doc).encode()


OUTCOMES = [
    (
        whatsapp.outcome,
        200,
        {"messages": [{"id": "wamid.out"}]},
        ("sent", "wamid.out", None, False),
    ),
    (
        whatsapp.outcome,
        400,
        {"error": {"code": 131047, "message": "Re-engagement"}},
        ("window_closed", None, "131047", False),
    ),
    (
        whatsapp.outcome,
        400,
        {"error": {"code": 131026, "message": "Undeliverable"}},
        ("failed", None, "131026", False),
    ),
    (
        whatsapp.outcome,
        400,
        {"error": {"code": 130429, "message": "Rate limit"}},
        ("failed", None, "130429", True),
    ),
    (whatsapp.outcome, 503, {}, ("failed", None, "503", True)),
    (
        meta.outcome,
        200,
        {"recipient_id": "p", "message_id": "m_out"},
        ("sent", "m_out", None, False),
    ),
    (
        meta.outcome,
        400,
        {"error": {"code": 10, "error_subcode": 2018278, "message": "outside"}},
        ("window_closed", None, "2018278", False),
    ),
    (
        meta.outcome,
        400,
        {"error": {"code": 100, "message": "bad param"}},
        ("failed", None, "100", False),
    ),
    (
        meta.outcome,
        500,
        {"error": {"code": 2, "message": "temporary"}},
        ("failed", None, "2", True),
    ),
    (
        telegram.outcome,
        200,
        {"ok": True, "result": {"message_id": 5, "chat": {"id": 7}}},
        ("sent", "7:5", None, False),
    ),
    (
        telegram.outcome,
        403,
        {"ok": False, "error_code": 403, "description": "bot was blocked"},
        ("failed", None, "403", False),
    ),
    (
        telegram.outcome,
        429,
        {"ok": False, "error_code": 429, "description": "Too Many Requests"},
        ("failed", None, "429", True),
    ),
    (twilio.outcome, 201, {"sid": "SMout"}, ("sent", "SMout", None, False)),
    (
        twilio.outcome,
        400,
        {"code": 21211, "message": "invalid To"},
        ("failed", None, "21211", False),
    ),
    (
        x.outcome,
        201,
        {"data": {"dm_event_id": "99", "dm_conversation_id": "1-2"}},
        ("sent", "99", None, False),
    ),
    (x.outcome, 429, {"title": "Too Many Requests"}, ("failed", None, "429", True)),
    (whatsapp.outcome, 200, {"unexpected": True}, ("failed", None, "200", False)),
]


@pytest.mark.parametrize(("read", "status", "doc", "want"), OUTCOMES)
def test_outcomes(read: object, status: int, doc: object, want: tuple[object, ...]) -> None:
    assert callable(read)
    o = read(status, j(doc))
    assert (o.status, o.provider_message_id, o.code, o.retryable) == want


def test_a_non_json_error_body_is_still_classified() -> None:
    o = whatsapp.outcome(502, b"<html>bad gateway</html>")
    assert (o.status, o.code, o.retryable) == ("failed", "502", True)


def survey(n: int) -> ev.SurveyAsk:
    titles = ["Poor", "OK", "Great", "Good", "Superb"][:n]
    return ev.SurveyAsk(
        survey_id="sv1",
        question="How did we do?",
        scale=n,
        choices=[
            ev.SurveyChoice(reply_id=ev.survey_reply_id("sv1", i + 1), title=t)
            for i, t in enumerate(titles)
        ],
    )


def test_whatsapp_survey_is_reply_buttons_up_to_three_else_a_list() -> None:
    r = reply("whatsapp", "pn-1", "4915112345678", survey=survey(3))
    doc = whatsapp.request(r, "http://api", "tok", "free").json
    assert doc is not None and doc["type"] == "interactive"
    assert doc["interactive"] == {
        "type": "button",
        "body": {"text": "On its way!"},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": "csat:sv1:1", "title": "Poor"}},
                {"type": "reply", "reply": {"id": "csat:sv1:2", "title": "OK"}},
                {"type": "reply", "reply": {"id": "csat:sv1:3", "title": "Great"}},
            ]
        },
    }
    five = whatsapp.request(
        reply("whatsapp", "pn-1", "4915112345678", survey=survey(5)), "http://api", "tok", "free"
    ).json
    assert five is not None and five["interactive"]["type"] == "list"
    rows = five["interactive"]["action"]["sections"][0]["rows"]
    assert [row["id"] for row in rows] == [f"csat:sv1:{n}" for n in range(1, 6)]
    tmpl = whatsapp.request(r, "http://api", "tok", "template").json  # outside 24 h: template
    assert tmpl is not None and tmpl["type"] == "template"


def test_survey_reply_ids_round_trip_and_other_ids_are_no_answer() -> None:
    assert ev.survey_answer(ev.survey_reply_id("a:b", 4)) == ("a:b", 4)
    for other in ("flow:x", "csat:", "csat:sv1:", "csat::3", "csat:sv1:x", "csat:sv1:123"):
        assert ev.survey_answer(other) is None


def test_telegram_survey_is_an_inline_keyboard_of_callback_buttons() -> None:
    r = reply("telegram", "bot1", "123456789", survey=survey(5))
    doc = telegram.request(r, "http://api", "tok", "free").json
    assert doc is not None and doc["text"] == "On its way!"
    assert doc["reply_markup"] == {
        "inline_keyboard": [
            [{"text": t, "callback_data": f"csat:sv1:{n}"} for n, t in
             enumerate(["Poor", "OK", "Great", "Good", "Superb"], 1)]
        ]
    }  # fmt: skip
    plain = telegram.request(reply("telegram", "bot1", "1"), "http://api", "tok", "free").json
    assert plain is not None and "reply_markup" not in plain


def test_messenger_survey_is_quick_replies() -> None:
    r = reply("messenger", "page1", "6789012345678901", survey=survey(3))
    doc = meta.request(r, "http://api", "tok", "response").json
    assert doc is not None and doc["message"] == {
        "text": "On its way!",
        "quick_replies": [
            {"content_type": "text", "title": "Poor", "payload": "csat:sv1:1"},
            {"content_type": "text", "title": "OK", "payload": "csat:sv1:2"},
            {"content_type": "text", "title": "Great", "payload": "csat:sv1:3"},
        ],
    }


def test_sms_survey_is_the_text_alone() -> None:
    r = reply("sms", "+15550001111", "+4917612345678", survey=survey(5))
    assert twilio.request(r, "http://api", "AC1", "tok").form == {
        "To": "+4917612345678",
        "From": "+15550001111",
        "Body": "On its way!",
    }
