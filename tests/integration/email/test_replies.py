"""Replies: reply.requested.v1 on Kafka -> our service -> a real aiosmtpd sink, with the right
threading headers; reply.result.v1 says sent / failed with the SMTP code (4xx retried)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message
from typing import TypedDict, Unpack

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from email_ingest.app import create_app
from email_ingest.classify import Trust
from email_ingest.normalize import MailboxConfig, normalize
from hotline import events
from hotline.blobs import LocalBlobStore, blob_ref
from hotline.kafka import EventProducer, ProducerSettings
from hotline_tools.devstack.broker import free_port
from tests.http_helpers import serve_app, wait_ready
from tests.integration.email.conftest import settings_for
from tests.kafka_helpers import fresh_topic, read_all

pytestmark = pytest.mark.integration


class Sink:
    def __init__(self) -> None:
        self.messages: list[Envelope] = []

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.startswith("busy@"):
            return "451 4.3.0 Mailbox busy, try later"
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture(scope="module")
def sink() -> Iterator[tuple[int, Sink]]:
    handler = Sink()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, handler
    finally:
        controller.stop()


class EmailThread(TypedDict, total=False):
    """The ``events.ThreadHints`` fields an email reply sets."""

    message_id: str
    references: list[str]
    reply_token: str


def request(
    reply_id: str, recipient: str, attachments: list[events.AttachmentRef] | None = None,
    **thread: Unpack[EmailThread],
) -> events.ReplyRequested:  # fmt: skip
    return events.ReplyRequested(
        event_id=events.event_id_for("acme", "email", reply_id, "reply.requested"),
        reply_id=reply_id,
        tenant="acme",
        channel=events.ChannelRef(kind="email", account_id="support@acme.test"),
        conversation_id="conv-42",
        recipient=recipient,
        content=events.EmailContent(subject="Printer on fire", text="We are on it.\n"),
        requested_at=datetime.now(UTC),
        requested_by="agent-7",
        thread=events.ThreadHints(**thread),
        attachments=attachments or [],
    )


def reply_result(raw: bytes) -> events.ReplyResult:
    result = events.decode(raw)
    assert isinstance(result, events.ReplyResult)
    return result


async def test_replies_reach_the_sink_with_threading_headers_and_results_are_emitted(
    kafka: str, sink: tuple[int, Sink]
) -> None:
    port, handler = sink
    replies, results = await fresh_topic(kafka), await fresh_topic(kafka)
    settings = settings_for(
        kafka, await fresh_topic(kafka), smtp_enabled=False, relay_host="127.0.0.1",
        relay_port=port, replies_topic=replies, results_topic=results, relay_backoff_s=0.05,
        reply_from="Acme Support <support@acme.test>", own_message_id_domain="out.acme.test",
        reply_group=f"replies-{replies}",
    )  # fmt: skip
    app = create_app(settings)
    ref = LocalBlobStore(settings.blob_dir).put(b"%PDF-1.4 invoice")
    invoice = events.AttachmentRef(ref=ref, mime_type="application/pdf", filename="invoice.pdf")
    missing = events.AttachmentRef(ref=blob_ref(b"never stored"), mime_type="text/plain")
    producer = EventProducer(ProducerSettings(bootstrap=kafka))
    await producer.start()
    try:
        async with serve_app(app):
            await wait_ready(app)
            await producer.publish(
                [
                    request("r1", "jo@example.test", [invoice], message_id="<m2@example.test>",
                            references=["<m1@example.test>"], reply_token="tok42"),
                    request("r2", "busy@example.test"),
                    request("r3", "nobody@example.test"),
                    request("r4", "jo@example.test", [missing]),
                ],
                topic=replies,
            )  # fmt: skip
            got = await read_all(kafka, results, expect=4, timeout=30)
    finally:
        await producer.stop()
    by_id = {r.reply_id: r for r in (reply_result(x.value or b"") for x in got)}
    assert (by_id["r1"].status, by_id["r1"].provider_code) == ("sent", "250")
    assert by_id["r1"].provider_message_id == "<hotline.r1@out.acme.test>"
    assert (by_id["r2"].status, by_id["r2"].provider_code, by_id["r2"].retryable) == (
        "failed", "451", True,
    )  # fmt: skip
    assert (by_id["r3"].status, by_id["r3"].provider_code, by_id["r3"].retryable) == (
        "failed", "550", False,
    )  # fmt: skip
    assert (by_id["r4"].status, by_id["r4"].reason) == ("failed", "attachment_missing")
    (envelope,) = handler.messages
    assert envelope.rcpt_tos == ["jo@example.test"]
    sent: Message = message_from_bytes(envelope.original_content or b"")
    assert sent["In-Reply-To"] == "<m2@example.test>"
    assert sent["References"] == "<m1@example.test> <m2@example.test>"
    assert sent["Reply-To"] == "reply+tok42@reply.acme.test"
    assert sent["Subject"] == "Re: Printer on fire"
    assert sent["Message-ID"] == "<hotline.r1@out.acme.test>"
    (pdf,) = [p for p in sent.walk() if p.get_content_type() == "application/pdf"]
    assert (pdf.get_filename(), pdf.get_payload(decode=True)) == (
        "invoice.pdf",
        b"%PDF-1.4 invoice",
    )
    # the customer's answer to it threads back, and our own copy coming back is a loop
    answer = (
        b"From: jo@example.test\r\nTo: reply+tok42@reply.acme.test\r\nSubject: Re: x\r\n"
        b"Message-ID: <m3@example.test>\r\n\r\nthanks\r\n"
    )
    cfg = MailboxConfig(tenant="acme", reply_domains=frozenset({"reply.acme.test"}))
    threaded = normalize(answer, cfg, datetime.now(UTC)).events[0]
    assert isinstance(threaded, events.MessageReceived)
    assert threaded.thread.reply_token == "tok42"
    own = envelope.original_content or b""
    loop_cfg = MailboxConfig(trust=Trust(own_message_id_domain="out.acme.test"))
    looped = normalize(own, loop_cfg, datetime.now(UTC)).events[0]
    assert isinstance(looped, events.MessageReceived)
    assert looped.flags.loop
