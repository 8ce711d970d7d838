"""The mikel/mail corpus: every mail normalizes (or dead-letters with a reason); our own
expected values for the interesting ones (charsets, filenames, DSNs, broken MIME, forwards)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from email_ingest.normalize import MailboxConfig, normalize
from hotline import events
from hotline.channels import registered
from hotline.kafka.errors import PermanentError

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
MAILS = "mikel-mail/spec/fixtures/emails"
FWD = "<F6E2D0B4-CC35-4A91-BA4C-C7C712B10C13@mac.com>"
JAMIS_KO = "대부분의 마찬가지로, 우리는 하나님을 믿습니다."

# (file, {dotted path: expected}) — values written from reading the raw mails.
CASES: list[tuple[str, dict[str, Any]]] = [
    (
        "multi_charset/japanese_iso_2022.eml",
        {
            "content.subject": "まみむめも",
            "content.text": "すみません。\n\n",
            "content.to": ["raasdnil@gmail.com"],
        },
    ),
    (
        "multi_charset/japanese_shift_jis.eml",
        {"content.visible_text^": "あいうえお\n\nこのメールはテスト用のメールです。"},
    ),
    ("multi_charset/ks_c_5601-1987.eml", {"content.text": "스티해\n"}),
    (
        "multi_charset/japanese.eml",
        {"content.subject": "まみむめも", "content.text^": "かきくえこ"},
    ),
    (
        "multi_charset/japanese_attachment.eml",
        {"attachments.0.filename": "てすと.txt", "attachments.0.mime_type": "text/plain"},
    ),
    (
        "multi_charset/japanese_attachment_long_name.eml",
        {"content.subject": "まみむめも" * 10, "attachments.0.filename": "かきくけこ" * 5 + ".txt"},
    ),
    ("attachment_emails/attachment_nonascii_filename.eml", {"attachments.0.filename": "ciële.txt"}),
    (
        "attachment_emails/attachment_with_quoted_filename.eml",
        {
            "content.subject": "Eelanalüüsi päring",
            "attachments.0.filename": "Eelanalüüsi päring.jpg",
            "attachments.0.mime_type": "image/jpeg",
        },
    ),
    (
        "attachment_emails/attachment_with_unquoted_name.eml",
        {"attachments.0.filename": "This is a test.txt", "attachments.0.size": 10},
    ),
    (
        "attachment_emails/attachment_with_base64_encoded_name.eml",
        {
            "attachments.0.filename": "This is a test.pdf",
            "flags.forwarded": True,
            "thread.in_reply_to": [FWD],
            "thread.references": [FWD],
        },
    ),
    (
        "attachment_emails/attachment_pdf.eml",
        {
            "content.subject": "Another PDF with 🎉 Unicode chars in it 🍿",
            "attachments.0.filename": "broken.pdf",
            "attachments.0.mime_type": "application/pdf",
        },
    ),
    ("attachment_emails/attachment_pdf_lf.eml", {"attachments.0.filename": "broken.pdf"}),
    (
        "attachment_emails/attachment_content_disposition.eml",
        {"attachments.0.filename": "api.rb", "content.visible_text": "This is the first part."},
    ),
    (
        "attachment_emails/attachment_message_rfc822.eml",
        {
            "attachments.0.mime_type": "message/rfc822",
            "attachments.0.filename": "ForwardedMessage.eml",
            "flags.forwarded": True,
        },
    ),
    (
        "attachment_emails/attachment_message_rfc822_inline_image.eml",
        {"attachments.0.filename": "img.png", "attachments.1.mime_type": "message/rfc822"},
    ),
    (
        "attachment_emails/attachment_only_email.eml",
        {
            "content.text": "",
            "attachments.0.filename": "blah.gz",
            "attachments.0.mime_type": "application/x-gzip",
            "sender.display_name": "Ryan Finnie",
        },
    ),
    (
        "error_emails/content_transfer_encoding_x_uuencode.eml",
        {
            "attachments.0.filename": "PGP_Cmts_on_12-14-01_Pkg.doc",
            "sender.identifiers.0.value": "lpeters@pacifier.com",
        },
    ),
    (
        "multipart_report_emails/multi_address_bounce1.eml",
        {
            "flags.bounce": True,
            "bounce_status": "5.1.1",
            "sender.role": "system",
            "thread.replied_to_message_id": "<118707422.15521266992174819.JavaMail.root@lvmail01>",
        },
    ),
    (
        "multipart_report_emails/multipart_report_multiple_status.eml",
        {
            "flags.bounce": True,
            "bounce_status": "5.3.0",
            "thread.replied_to_message_id": "<4c2a146147ac8_61ff157c4ec1652df@s.h.c.mail>",
        },
    ),
    (
        "multipart_report_emails/report_422.eml",
        {
            "flags.bounce": False,
            "flags.delivery_delayed": True,
            "bounce_status": "4.2.2",
            "report_recipients": ["fraser@oooooooo.com.au"],
        },
    ),
    (
        "multipart_report_emails/report_530.eml",
        {
            "flags.bounce": True,
            "bounce_status": "5.3.0",
            "thread.replied_to_message_id": "<200712232303.lBNN3jDq002941@mail12.rrrr.com.au>",
        },
    ),
    (
        "mime_emails/raw_email_with_mimepart_without_content_type.eml",
        {"flags.delivery_delayed": True, "flags.bounce": False, "bounce_status": "4.5.0"},
    ),
    (
        "mime_emails/raw_email_with_illegal_boundary.eml",
        {"content.text": "Hello\nThis is an outlook test\n\nSo there.\n\nMe.\n"},
    ),
    (
        "mime_emails/raw_email_with_quoted_illegal_boundary.eml",
        {"content.visible_text^": "Hello\nThis is an outlook test"},
    ),
    (
        "mime_emails/email_with_similar_boundaries.eml",
        {"content.text": "Test\n", "attachments.0.filename": "LOGO.png"},
    ),
    (
        "mime_emails/raw_email_encoded_stack_level_too_deep.eml",
        {
            "content.subject": "Nicolas Fouché has accepted your invitation to Gmail",
            "content.to": ["a.b@gmail.com"],
            "sender.handle": "x.y@gmail.com",
        },
    ),
    (
        "mime_emails/raw_email_with_nested_attachment.eml",
        {"attachments.0.filename": "truncated.png", "attachments.1.filename": "smime.p7s"},
    ),
    (
        "mime_emails/sig_only_email.eml",
        {
            "attachments.0.filename": "signature.asc",
            "attachments.0.mime_type": "application/pgp-signature",
        },
    ),
    (
        "error_emails/multiple_references_with_one_invalid.eml",
        {
            "thread.references": ["<foo@bar.net>", "<baz@bar.net>"],
            "conversation_key": "default/email/from:redacted@flashmail.net",
        },
    ),
    ("error_emails/content_transfer_encoding_7-bit.eml", {"content.text^": "DISCOVERÆ CARD"}),
    (
        "error_emails/header_fields_with_empty_values.eml",
        {"sender.display_name": "Jørn Støylen", "content.subject": "Testmail"},
    ),
    (
        "error_emails/invalid_subject_characters.eml",
        {"content.subject^": "Formação FrenetikPolis: Mega Campanha Final Verão"},
    ),
    ("error_emails/bad_date_header.eml", {"provider_timestamp": None}),
    (
        "plain_emails/raw_email.eml",
        {"content.subject": "NOTE: 한국말로 하는 것", "content.text^": JAMIS_KO},
    ),
    (
        "plain_emails/raw_email_with_partially_quoted_subject.eml",
        {"content.subject": 'Re: Test: "漢字" mid "漢字" tail'},
    ),
    (
        "plain_emails/raw_email_reply.eml",
        {
            "thread.references": [
                "<473FF3B8.9020707@xxx.org>",
                "<348F04F142D69C21-291E56D292BC@xxxx.net>",
            ],
            "conversation_key": "default/email/from:xxxxxxxx@xxx.org",
        },
    ),
    (
        "plain_emails/raw_email_incorrect_header.eml",
        {
            "sender.identifiers.0.value": "xxx@xxx.xxx",
            "content.subject": "Stop adware/spyware once and for all.",
        },
    ),
    ("plain_emails/raw_email_multiple_from.eml", {"sender.handle": "tim@powerupdev.com"}),
    ("plain_emails/mix_caps_content_type.eml", {"content.text": "foo bar\n"}),
    (
        "plain_emails/basic_email_lf.eml",
        {"provider_timestamp": datetime.fromisoformat("2008-11-22T15:04:59+11:00")},
    ),
    (
        "rfc2822/example07.eml",
        {
            "thread.in_reply_to": ["<3456@example.net>"],
            "conversation_key": "default/email/from:jdoe@machine.example",
            "content.visible_text": "This is a reply to your reply.",
        },
    ),
    (
        "rfc2822/example01.eml",
        {
            "conversation_key": "default/email/from:jdoe@machine.example",
            "provider_message_id": "<1234@local.machine.example>",
        },
    ),
    (
        "rfc6532/utf8_headers.eml",
        {
            "content.subject": "Säying Hello",
            "sender.identifiers.0.value": "jdöe@mächine.example",
            "sender.display_name": "Jöhn Doe",
        },
    ),
]


def _pick(obj: Any, path: str) -> Any:
    for step in path.split("."):
        obj = obj[int(step)] if step.isdigit() else getattr(obj, step)
    return obj


def _event(corpora: Path, name: str) -> events.MessageReceived:
    result = normalize((corpora / MAILS / name).read_bytes(), MailboxConfig(), NOW)
    (event,) = result.events
    assert isinstance(event, events.MessageReceived)
    return event


@pytest.mark.parametrize(("name", "expected"), CASES, ids=[c[0] for c in CASES])
def test_expected_values(corpora: Path, name: str, expected: dict[str, Any]) -> None:
    event = _event(corpora, name)
    for path, want in expected.items():
        if path.endswith("^"):
            assert _pick(event, path[:-1]).startswith(want), path
        else:
            assert _pick(event, path) == want, path


def test_every_corpus_mail_is_an_event_or_a_reasoned_dead_letter(corpora: Path) -> None:
    files = sorted((corpora / MAILS).rglob("*.eml"))
    assert len(files) == 103
    for path in files:
        try:
            result = normalize(path.read_bytes(), MailboxConfig(), NOW)
        except PermanentError as exc:
            assert exc.reason, path
            continue
        for event in result.events:
            assert events.decode(events.encode(event)) == event, path
        for attachment in result.events[0].attachments:  # type: ignore[union-attr]
            assert attachment.ref in result.blobs, path


def test_attachment_blob_is_the_decoded_bytes(corpora: Path) -> None:
    raw = (corpora / MAILS / "attachment_emails/attachment_with_unquoted_name.eml").read_bytes()
    result = normalize(raw, MailboxConfig(), NOW)
    attachment = result.events[0].attachments[0]  # type: ignore[union-attr]
    assert result.blobs[attachment.ref] == b"Hi there.\n"


def test_the_email_plugin_is_registered(corpora: Path) -> None:
    plugin = registered()["email"]
    raw = (corpora / MAILS / "rfc2822/example06.eml").read_bytes()
    (event,) = plugin.normalize(raw)
    assert isinstance(event, events.MessageReceived)
    assert event.thread.in_reply_to == ["<1234@local.machine.example>"]
