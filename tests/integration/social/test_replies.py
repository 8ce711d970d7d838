"""Replies end to end: inbound webhooks feed the window store, reply.requested.v1 on the real
broker goes to a local stand-in API over real HTTP, reply.result.v1 comes back."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hotline import events as ev
from hotline.blobs import blob_ref, open_blob_store
from hotline.kafka import EventProducer, ProducerSettings
from hotline.topics import REPLY_RESULTS
from hotline_tools.devstack.broker import free_port
from hotline_tools.devstack.providers import sent_answer
from social_ingest.settings import SocialSettings
from social_ingest.window_store import WindowStore
from tests.integration.social.conftest import Running, serve
from tests.integration.social.standin import StandIn, standin
from tests.kafka_helpers import read_all
from tests.unit.social.edges import settings_for
from tests.unit.social.providers import providers

pytestmark = pytest.mark.integration
PN, PAGE = "pn-replies", "page-replies"


def wa_inbound(wa_id: str, at: int) -> bytes:
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "waba",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {"display_phone_number": "1555", "phone_number_id": PN},
                                "contacts": [{"profile": {"name": "C"}, "wa_id": wa_id}],
                                "messages": [
                                    {
                                        "from": wa_id,
                                        "id": f"wamid.in.{wa_id}.{at}",
                                        "timestamp": str(at),
                                        "type": "text",
                                        "text": {"body": "hello"},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()


def fb_inbound(psid: str, at_ms: int) -> bytes:
    return json.dumps(
        {
            "object": "page",
            "entry": [
                {
                    "id": PAGE,
                    "time": at_ms,
                    "messaging": [
                        {
                            "sender": {"id": psid},
                            "recipient": {"id": PAGE},
                            "timestamp": at_ms,
                            "message": {"mid": f"m_in_{psid}", "text": "hi"},
                        }
                    ],
                }
            ],
        }
    ).encode()


def reply(kind: ev.ChannelKind, account: str, to: str, **kw: object) -> ev.ReplyRequested:
    rid = f"reply-{uuid.uuid4().hex[:10]}"
    return ev.ReplyRequested(
        event_id=ev.event_id_for("acme", kind, rid, "reply"),
        reply_id=rid,
        tenant="acme",
        channel=ev.ChannelRef(kind=kind, account_id=account),
        conversation_id=f"conv-{to}",
        recipient=to,
        content=ev.TextContent(text=f"Hello {to}"),
        requested_at=datetime.now(UTC),
        requested_by="agent-1",
        **kw,  # type: ignore[arg-type]
    )


WRITERS = (
    ("4915100000001", 60),
    ("4915100000002", 2 * 86400),
    ("4915100000008", 60),
    ("4915100000009", 60),
)


async def post_inbound(svc: Running, writers: tuple[tuple[str, int], ...] = WRITERS) -> None:
    """``writers``: (WhatsApp number, seconds since it last wrote). Each test has its own
    numbers: a service reads the replies topic from its start, earlier tests' replies too."""
    spec = {p.name: p for p in providers(svc.settings.port)}
    now = int(time.time())
    wa_sign = _wa_sign()
    bodies = [("/webhooks/whatsapp", wa_inbound(w, now - age), wa_sign) for w, age in writers]
    bodies += [
        (
            "/webhooks/messenger",
            fb_inbound("psid-old", (now - 3 * 86400) * 1000),
            spec["messenger"].sign,
        )
    ]
    for path, body, sign in bodies:
        assert (await svc.client.post(path, content=body, headers=sign(body))).status_code == 200


def _wa_sign() -> Callable[[bytes], dict[str, str]]:
    from tests.unit.social.test_whatsapp_edge import sign

    return sign


async def until_known(store: WindowStore, channel: ev.ChannelRef, customer: str) -> None:
    for _ in range(600):  # group join on a busy machine can take seconds
        if store.last_inbound("acme", channel, customer):
            return
        await asyncio.sleep(0.05)
    raise TimeoutError(f"window store never saw {customer}")


async def results_for(kafka: str, ids: list[str], times: int = 1) -> dict[str, ev.ReplyResult]:
    for _ in range(150):
        found = [ev.decode(r.value) for r in await read_all(kafka, REPLY_RESULTS)]
        mine = [r for r in found if isinstance(r, ev.ReplyResult) and r.reply_id in ids]
        if all(sum(r.reply_id == i for r in mine) >= times for i in ids):
            return {r.reply_id: r for r in mine}
        await asyncio.sleep(0.2)
    raise TimeoutError("no reply results")


async def publish(kafka: str, replies: list[ev.ReplyRequested]) -> None:
    producer = EventProducer(ProducerSettings(bootstrap=kafka))
    await producer.start()
    try:
        await producer.publish(replies)
    finally:
        await producer.stop()


async def test_windows_recipients_and_provider_errors(kafka: str, tmp_path: Path) -> None:
    async with standin() as api, serve(_settings(kafka, tmp_path, api)) as svc:
        await post_inbound(svc)
        store: WindowStore = svc.app.state.social.store
        wa, fb = (
            ev.ChannelRef(kind="whatsapp", account_id=PN),
            ev.ChannelRef(kind="messenger", account_id=PAGE),
        )
        for customer in ("4915100000001", "4915100000002", "4915100000008", "4915100000009"):
            await until_known(store, wa, customer)
        await until_known(store, fb, "psid-old")
        api.script["4915100000009"] = (400, {"error": {"code": 131026, "message": "Undeliverable"}})
        api.script["4915100000008"] = (503, {"error": {"code": 131016, "message": "down"}})
        r = {
            "open": reply("whatsapp", PN, "4915100000001"),
            "closed": reply("whatsapp", PN, "4915100000002"),
            "template": reply(
                "whatsapp",
                PN,
                "4915100000002",
                template="order_update",
                template_language="de",
                template_params=["Maria", "4711"],
            ),
            "never_wrote": reply("whatsapp", PN, "4915199999999"),
            "permanent": reply("whatsapp", PN, "4915100000009"),
            "retryable": reply("whatsapp", PN, "4915100000008"),
            "fb_closed": reply("messenger", PAGE, "psid-old"),
            "fb_human": reply("messenger", PAGE, "psid-old", human_agent=True),
            "telegram": reply("telegram", "bot", "123456789"),
            "sms": reply("sms", "+15005550006", "+14155552671"),
            "x": reply("x", "4337869213", "3001969357"),
        }
        await publish(kafka, list(r.values()))
        got = await results_for(kafka, [x.reply_id for x in r.values()])
        status = {k: (got[v.reply_id].status, got[v.reply_id].retryable) for k, v in r.items()}
        assert status == {
            "open": ("sent", False),
            "closed": ("window_closed", False),
            "template": ("sent", False),
            "never_wrote": ("window_closed", False),
            "permanent": ("failed", False),
            "retryable": ("failed", True),
            "fb_closed": ("window_closed", False),
            "fb_human": ("sent", False),
            "telegram": ("sent", False),
            "sms": ("sent", False),
            "x": ("sent", False),
        }
        _check_requests(api, got[r["permanent"].reply_id])
        # nothing reached the API for a closed window; the retryable error was tried 3 times
        assert api.to("4915199999999") == [] and len(api.to("4915100000008")) == 3


def _check_requests(api: StandIn, permanent: ev.ReplyResult) -> None:
    (wa,) = api.to("4915100000001")
    assert wa.path == f"/{PN}/messages" and wa.headers["authorization"] == "Bearer it-wa-token"
    assert wa.body["text"]["body"] == "Hello 4915100000001"
    (tmpl,) = api.to("4915100000002")
    assert tmpl.body["type"] == "template" and tmpl.body["template"] == {
        "name": "order_update",
        "language": {"code": "de"},
        "components": [
            {
                "type": "body",
                "parameters": [{"type": "text", "text": "Maria"}, {"type": "text", "text": "4711"}],
            }
        ],
    }
    (human,) = api.to("psid-old")
    assert (human.body["messaging_type"], human.body["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")
    (tg,) = api.to("123456789")
    assert tg.path == "/botit-bot-token/sendMessage"
    (sms,) = api.to("+14155552671")
    assert sms.body == {"To": "+14155552671", "From": "+15005550006", "Body": "Hello +14155552671"}
    assert permanent.provider_code == "131026" and permanent.reason == "Undeliverable"


async def test_a_redelivered_reply_is_not_sent_twice(kafka: str, tmp_path: Path) -> None:
    async with standin() as api, serve(_settings(kafka, tmp_path, api)) as svc:
        once = reply("telegram", "bot", "555")
        await publish(kafka, [once])
        first = await results_for(kafka, [once.reply_id])
        await publish(kafka, [once])  # the unifier re-requests (or Kafka redelivers)
        await results_for(kafka, [once.reply_id], times=2)
        assert len(api.to("555")) == 1
        assert first[once.reply_id].provider_message_id is not None
        assert svc.app.state.social.store.result_of(once.reply_id) is not None


def _settings(kafka: str, tmp_path: Path, api: StandIn | None, **extra: object) -> SocialSettings:
    base = api.base if api else "http://127.0.0.1:9"  # set later (_with_api) when None
    return settings_for(
        kafka,
        free_port(),
        replies_enabled=True,
        windows_db=str(tmp_path / "windows.sqlite3"),
        replies_group=f"social_ingest.replies.{uuid.uuid4().hex[:8]}",
        whatsapp_api_base=base,
        meta_api_base=base,
        telegram_api_base=base,
        twilio_api_base=base,
        x_api_base=base,
        **extra,
    )


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(48))
PDF = b"%PDF-1.4 invoice 4711"


FILES_TO, MISSING_TO = "4915100000021", "4915100000028"  # this test's own customers


async def test_whatsapp_replies_upload_their_files_then_send_media(
    kafka: str, tmp_path: Path
) -> None:
    settings = _settings(kafka, tmp_path, None, blob_dir=tmp_path / "blobs")
    store = open_blob_store(settings, settings.blob_dir)  # where the unifier's uploads went
    png = ev.AttachmentRef(ref=store.put(PNG), mime_type="image/png", filename="shot.png")
    pdf = ev.AttachmentRef(ref=store.put(PDF), mime_type="application/pdf", filename="inv.pdf")
    gone = ev.AttachmentRef(ref=blob_ref(b"never stored"), mime_type="image/png", filename="x")
    async with standin() as api, serve(_with_api(settings, api)) as svc:
        await post_inbound(svc, ((FILES_TO, 60), (MISSING_TO, 60)))
        wa = ev.ChannelRef(kind="whatsapp", account_id=PN)
        for customer in (FILES_TO, MISSING_TO):
            await until_known(svc.app.state.social.store, wa, customer)
        r = {
            "files": reply("whatsapp", PN, FILES_TO, attachments=[png, pdf]),
            "missing": reply("whatsapp", PN, MISSING_TO, attachments=[gone]),
            "telegram": reply("telegram", "bot", "77", attachments=[png]),
        }
        await publish(kafka, list(r.values()))
        got = await results_for(kafka, [x.reply_id for x in r.values()])
    assert got[r["files"].reply_id].status == "sent"
    assert (got[r["missing"].reply_id].status, got[r["missing"].reply_id].provider_code) == (
        "failed", "attachment_missing",
    )  # fmt: skip
    assert (got[r["telegram"].reply_id].status, got[r["telegram"].reply_id].provider_code) == (
        "failed", "attachments_unsupported",
    )  # fmt: skip
    assert api.to(MISSING_TO) == [] and api.to("77") == []
    uploads = [s for s in api.seen if s.path == f"/{PN}/media"]
    assert [(u.body["file"]["filename"], u.body["file"]["data"]) for u in uploads] == [
        ("shot.png", PNG),
        ("inv.pdf", PDF),
    ]
    assert [u.body["type"] for u in uploads] == ["image/png", "application/pdf"]
    assert all(u.body["messaging_product"] == "whatsapp" for u in uploads)
    image, document = api.to(FILES_TO)
    assert image.body["type"] == "image" and image.body["image"]["caption"] == f"Hello {FILES_TO}"
    assert document.body["document"]["filename"] == "inv.pdf"
    assert "caption" not in document.body["document"]
    # each message names the id the stand-in answered to its upload
    answered = [sent_answer(f"/{PN}/media", api.seen.index(u) + 1)["id"] for u in uploads]
    assert [image.body["image"]["id"], document.body["document"]["id"]] == answered
    assert got[r["files"].reply_id].provider_message_id == f"wamid.out{api.seen.index(image) + 1}"


def _with_api(settings: SocialSettings, api: StandIn) -> SocialSettings:
    bases = ("whatsapp", "meta", "telegram", "twilio", "x")
    return settings.model_copy(update={f"{b}_api_base": api.base for b in bases})
