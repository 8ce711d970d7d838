"""normalize(): classification flags, reply token, sender trust, limits, HTML-only mail."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from email_ingest.alignment import Verdict
from email_ingest.app import mailbox_config
from email_ingest.attachments import Limits
from email_ingest.classify import Trust
from email_ingest.normalize import MailboxConfig, normalize
from email_ingest.settings import EmailSettings
from hotline import events
from hotline.blobs import blob_ref

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
CFG = MailboxConfig(
    tenant="acme",
    account_id="support@acme.test",
    reply_domains=frozenset({"reply.acme.test"}),
    trust=Trust(authserv_ids=frozenset({"mx.acme.test"}), own_message_id_domain="out.acme.test"),
)


def mail(*headers: str, body: str = "hello\n") -> bytes:
    base = ["From: Jo <jo@example.test>", "To: support@acme.test", "Message-ID: <m1@example.test>"]
    return ("\r\n".join([*base, *headers]) + "\r\n\r\n" + body).encode()


def event_of(
    raw: bytes, cfg: MailboxConfig = CFG, auth: Verdict | None = None
) -> events.MessageReceived:
    (event,) = normalize(raw, cfg, NOW, auth=auth).events
    assert isinstance(event, events.MessageReceived)
    return event


@pytest.mark.parametrize(
    "header",
    [
        "Auto-Submitted: auto-replied",
        "Auto-Submitted: auto-generated",
        "X-Autoreply: yes",
        "X-Autorespond: Out of office",
        "Precedence: auto_reply",
        "Precedence: bulk\r\nIn-Reply-To: <q1@acme.test>",
        "Precedence: junk\r\nReturn-Path: <>",
        "X-Auto-Response-Suppress: All",
        "X-Auto-Response-Suppress: OOF",
    ],
)
def test_auto_reply_headers(header: str) -> None:
    assert event_of(mail(header)).flags.auto_reply


def test_plain_mail_has_no_flags() -> None:
    assert event_of(mail("Auto-Submitted: no")).flags == events.Flags()


def test_mailing_list_and_loop() -> None:
    assert event_of(mail("List-Id: <users.lists.example.test>")).flags.mailing_list
    looped = mail().replace(b"<m1@example.test>", b"<hotline.r1@out.acme.test>")
    assert event_of(looped).flags.loop
    assert event_of(mail("X-Loop: hotline")).flags.loop


def test_forwarded_by_subject_or_body() -> None:
    assert event_of(mail("Subject: Fwd: order")).flags.forwarded
    assert event_of(
        mail(body="see below\n---------- Forwarded message ---------\nx")
    ).flags.forwarded
    assert not event_of(mail("Subject: forward planning")).flags.forwarded


def test_reply_token_from_our_domain_only() -> None:
    ours = mail("Cc: Support <reply+tok_42@reply.acme.test>")
    event = event_of(ours)
    assert event.thread.reply_token == "tok_42"
    assert event.conversation_key == "acme/email/from:jo@example.test"
    assert event_of(mail("Cc: reply+evil@other.test")).thread.reply_token is None


def test_reply_token_from_envelope_recipient() -> None:
    result = normalize(mail(), CFG, NOW, envelope_rcpts=("reply+env1@reply.acme.test",))
    assert result.events[0].thread.reply_token == "env1"  # type: ignore[union-attr]


def test_conversation_key_is_the_sender_then_the_thread_root() -> None:
    raw = mail(
        "References: <root@x> <mid@x>", "In-Reply-To: <mid@x>", "Cc: reply+t@reply.acme.test"
    )
    assert event_of(raw).conversation_key == "acme/email/from:jo@example.test"
    assert event_of(mail()).conversation_key == "acme/email/from:jo@example.test"
    anonymous = raw.replace(b"From: Jo <jo@example.test>\r\n", b"")
    assert anonymous != raw
    assert event_of(anonymous).conversation_key == "acme/email/<root@x>"
    no_refs = mail("In-Reply-To: <mid@x>").replace(b"From: Jo <jo@example.test>\r\n", b"")
    assert event_of(no_refs).conversation_key == "acme/email/<mid@x>"


def test_event_id_is_deterministic_per_message_id() -> None:
    first, again = event_of(mail()), event_of(mail("X-Retry: 1"))
    assert (
        first.event_id
        == again.event_id
        == events.event_id_for("acme", "email", "<m1@example.test>", "message")
    )


AR_PASS = (
    "Authentication-Results: mx.acme.test; dkim=pass header.d=example.test;"
    " dmarc=pass header.from=example.test"
)


def test_trusted_dmarc_pass_verifies_the_sender() -> None:
    ident = event_of(mail(AR_PASS)).sender.identifiers[0]
    assert (ident.value, ident.verified, ident.source) == ("jo@example.test", True, "dmarc")
    assert ident.level == "dmarc_aligned"


@pytest.mark.parametrize(
    "raw",
    [
        mail(),  # a bare From is never verified
        mail(AR_PASS.replace("mx.acme.test", "mx.attacker.test")),  # untrusted authserv-id
        mail("Authentication-Results: mx.acme.test; dkim=pass header.d=other.test"),  # unaligned
        mail("Authentication-Results: mx.acme.test; dmarc=fail header.from=example.test"),
        mail(AR_PASS).replace(
            b"From: Jo <jo@example.test>", b"From: a@example.test, b@example.test"
        ),
        mail(AR_PASS).replace(
            b"From: Jo <jo@example.test>", b"From: a@example.test(<b@example.test>"
        ),
    ],
)
def test_sender_not_verified(raw: bytes) -> None:
    sender = event_of(raw).sender
    assert [(i.verified, i.level) for i in sender.identifiers] == [(False, "unverified")]


OWN_PASS = Verdict(True, "pass", "example.test", "example.test", "reject")


def test_our_own_aligned_verdict_verifies_the_sender() -> None:
    event = event_of(mail(), auth=OWN_PASS)
    (ident,) = event.sender.identifiers
    assert (ident.verified, ident.level, ident.source) == (True, "dmarc_aligned", "smtp.dmarc")
    assert isinstance(event.content, events.EmailContent)
    assert event.content.headers["Authentication-Results"] == OWN_PASS.header("hotline")


@pytest.mark.parametrize(
    ("raw", "auth"),
    [
        (mail(), Verdict(False, "not_aligned", "example.test", "other.test", "reject")),
        (mail(), Verdict(False, "dns_timeout")),
        (mail(), Verdict(True, "pass", "other.test", "other.test", "reject")),  # another From
        (
            mail().replace(b"From: Jo <jo@example.test>", b"From: a@example.test, b@example.test"),
            OWN_PASS,
        ),
    ],
)
def test_our_own_verdict_that_does_not_fit_leaves_the_sender_unverified(
    raw: bytes, auth: Verdict
) -> None:
    event = event_of(raw, auth=auth)
    assert [(i.verified, i.level, i.source) for i in event.sender.identifiers] == [
        (False, "unverified", "smtp.from")
    ]
    assert isinstance(event.content, events.EmailContent)
    assert event.content.headers["Authentication-Results"] == auth.header("hotline")


def test_a_trusted_relay_pass_is_kept_beside_our_own_check() -> None:
    (ident,) = event_of(mail(AR_PASS), auth=Verdict(False, "no_signature")).sender.identifiers
    assert (ident.verified, ident.level, ident.source) == (True, "dmarc_aligned", "dmarc")


@pytest.mark.parametrize(
    ("from_header", "name"),
    [
        ("From: Jo <jo@example.test>", "Jo"),
        ('From: "Jones, Maria" <jo@example.test>', "Jones, Maria"),
        ("From: =?utf-8?q?Mar=C3=ADa_Jos=C3=A9?= <jo@example.test>", "María José"),
        ("From: jo@example.test", None),
    ],
)
def test_display_name_comes_from_the_from_header(from_header: str, name: str | None) -> None:
    raw = mail().replace(b"From: Jo <jo@example.test>", from_header.encode())
    assert event_of(raw).sender.display_name == name


@pytest.mark.parametrize(
    ("tenants", "tenant"),
    [
        ({}, "fallback"),
        ({"email:*": "all-mail"}, "all-mail"),
        ({"email:help@acme.test": "acme", "email:*": "all-mail"}, "acme"),
        ({"slack:help@acme.test": "wrong-kind"}, "fallback"),
    ],
)
def test_the_tenant_comes_from_the_mailbox_account(tenants: dict[str, str], tenant: str) -> None:
    settings = EmailSettings(
        env="dev", account_id="help@acme.test", default_tenant="fallback", tenants=tenants
    )
    config = mailbox_config(settings)
    assert (config.tenant, config.account_id) == (tenant, "help@acme.test")
    assert event_of(mail(), config).tenant == tenant


def test_dkim_pass_aligned_verifies() -> None:
    raw = mail("Authentication-Results: mx.acme.test; dkim=pass header.i=@example.test")
    ident = event_of(raw).sender.identifiers[0]
    assert (ident.source, ident.verified, ident.level) == ("dkim", True, "dmarc_aligned")


def test_html_only_mail_is_rendered_and_kept_by_reference() -> None:
    html = "<html><head><style>p{}</style></head><body><p>Hi&nbsp;there</p><script>x()</script>"
    html += "<p>On Monday Bob wrote:</p><blockquote>old</blockquote></body></html>"
    raw = mail("Content-Type: text/html; charset=utf-8", body=html)
    result = normalize(raw, CFG, NOW)
    content = result.events[0].content  # type: ignore[union-attr]
    assert isinstance(content, events.EmailContent)
    assert content.text == "Hi there\n\nOn Monday Bob wrote:\nold"
    assert content.visible_text == "Hi there"
    assert content.html_ref == blob_ref(html.encode())
    assert result.blobs[content.html_ref] == html.encode()


def test_visible_reply_strips_quotes_and_signature() -> None:
    body = "Thanks, works now.\n\n-- \nJo\n\nOn Tue, Nov 24, 2026 Support wrote:\n> old text\n"
    content = event_of(mail(body=body)).content
    assert isinstance(content, events.EmailContent)
    assert content.visible_text == "Thanks, works now."
    assert content.text == body


def test_attachment_limit_sets_the_flag_instead_of_dropping_silently() -> None:
    parts = "".join(
        f"--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; "
        f'filename="f{i}.bin"\r\n\r\ndata{i}\r\n'
        for i in range(5)
    )
    raw = mail("Content-Type: multipart/mixed; boundary=b", body=parts + "--b--\r\n")
    cfg = MailboxConfig(limits=Limits(max_attachments=3))
    event = event_of(raw, cfg)
    assert [a.filename for a in event.attachments] == ["f0.bin", "f1.bin", "f2.bin"]
    assert event.flags.attachments_truncated
    assert not event_of(raw).flags.attachments_truncated


def test_inline_image_with_content_id() -> None:
    part = (
        "--b\r\nContent-Type: image/png\r\nContent-ID: <img1@x>\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--b--\r\n"
    )
    raw = mail("Content-Type: multipart/related; boundary=b", body=part)
    attachment = event_of(raw).attachments[0]
    assert (attachment.inline, attachment.content_id, attachment.size) == (True, "img1@x", 8)
