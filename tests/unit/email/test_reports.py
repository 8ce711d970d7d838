"""Machine reports, mail by mail: recipients, status codes and the returned mail's id per MTA
family (real mails from the bounce corpus, values read from each mail by hand), feedback
reports, the auto-reply rules, and the cost gate (ordinary mail never reaches flufl.bounce)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from email_ingest import bounces
from email_ingest.auto_reply import by_subject
from email_ingest.normalize import MailboxConfig, normalize
from email_ingest.parse import Part
from hotline import events

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
BE = "bounce_email/test/bounces/"
FL = "flufl.bounce/tests/data/"
PHP = "php-bounce-handler/eml/"
MIKEL = "mikel-mail/spec/fixtures/emails/"

# (file, kind, recipients, status codes, returned mail's Message-ID)
REPORTS = [
    (  # Postfix DSN: "Status: 5.4.4"
        BE + "tt_1234175799.txt",
        "bounce",
        ["agris.ameriks@amerimailzzz.lv"],
        "5.4.4",
        "<20090209103639.34F80326BA4@Albanis-3.local>",
    ),
    (  # Postfix gave up: Action: failed with a 4.x status is still a bounce
        BE + "tt_bounce_10.txt",
        "bounce",
        ["info.rietumuradio.lv@mail.studio7.lv"],
        "4.0.0",
        "<da9602510709140852n758da03h4c7a8c6ede38fde8@mail.gmail.com>",
    ),
    (  # Exchange DSN
        BE + "tt_bounce_13.txt",
        "bounce",
        ["ilzeB@lvaei.lv"],
        "5.2.2",
        "<da9602510709132326l27c896abp48d2df677b444d1b@mail.gmail.com>",
    ),
    (  # Gmail, plain text: "550-5.1.1 The email account that you tried to reach does not exist"
        BE + "undeliverable_gmail.txt",
        "bounce",
        ["undeliverable@coupa.com"],
        "5.1.1",
        "<CAEivLMBmmXp-4h7XtUzYy6V2KY44SJ_4yy=9u1+D9KaJ1jjcEg@mail.gmail.com>",
    ),
    (  # Gmail delay warning, plain text: "Delivery to the following recipient has been delayed"
        BE + "tt_bounce_18.txt",
        "delay",
        ["welcome6_@one.lv"],
        None,
        "<347AE19D-8217-46DB-A64C-D6043980B1C8@gmail.com>",  # from the pasted header copy
    ),
    (  # qmail (rediffmail), plain text
        BE + "malformed_bounce_01.txt",
        "bounce",
        ["mithlesh_pm@rediffmail.com"],
        "5.1.1",
        "<4b28496b5a963_3adb3fc543c451b0910ee@xenon.swom.com.tmail>",
    ),
    (  # qmail-derived Yahoo: "(#4.4.1)" after it stopped trying — permanent by its words
        FL + "yahoo_01.txt",
        "bounce",
        ["userx@example.com"],
        "4.4.1",
        None,
    ),
    (  # Exim, plain text, with Auto-Submitted: auto-replied: a bounce, not an auto-reply
        "Mail-DeliveryStatus-BounceParser/t/corpus/non-autoreply.msg",
        "bounce",
        ["hbsdpphvfex@blackwebportal.com"],
        None,
        "<200607250935.k6P9Zdos034419@bacchus.thegestalt.org>",
    ),
    (  # Sendmail DSN
        BE + "tt_bounce_23.txt",
        "bounce",
        ["Rihards_Freimanis@exigengroup.com"],
        "5.1.1",
        "<da9602510708300116u2348301g6a0d9e4589fa068c@mail.gmail.com>",
    ),
    (  # IMail/SMTP32, two recipients: "553 5.3.0 <...>... Addressee unknown"
        FL + "smtp32_04.txt",
        "bounce",
        ["after_another@example.net", "one_bad_address@example.net"],
        "5.3.0",
        None,
    ),
    (  # Lotus Domino DSN
        BE + "tt_bounce_15.txt",
        "bounce",
        ["info@rimibaltic.com"],
        "5.0.0",
        "<OFE7DBB275.2E3CF354-ONC2257346.00483CEE-C2257346.00483D34@rimibaltic.com>",
    ),
    (  # Symantec gateway: "Delivery attempts will continue to be made for 5 day(s)"
        FL + "simple_22.txt",
        "delay",
        ["User@example.org"],
        None,
        None,
    ),
    (  # a small host's own format: the recipient only in the bounce's Original-Recipient header
        BE + "unknown_code_bounce_01.txt",
        "bounce",
        ["sdrake@tradingpost.ch"],
        None,
        "<4b64d9fd8f537_18e83fa070dbb1b85499c1@xenon.swom.com.tmail>",
    ),
    (  # Exchange, no recipient address in the text: a bounce by subject and returned mail
        BE + "tt_bounce_11.txt",
        "bounce",
        [],
        None,
        "<da9602510709140852n758da03h4c7a8c6ede38fde8@mail.gmail.com>",
    ),
]

# (file, feedback type, complaining recipients)
FEEDBACK = [
    (PHP + "fbl-yahoo.txt", "abuse", ["someuser@yahoo.com"]),
    (PHP + "arf4.txt", "abuse", ["giribhantana@yahoo.com"]),
    (PHP + "fbl-comcast.txt", "abuse", ["redacted@comcast.net"]),
    (PHP + "arf2.txt", "opt-out", []),
    (PHP + "fbl-aol.txt", "abuse", []),  # AOL redacts the recipient
    (PHP + "hotmailbounce.txt", "abuse", ["spamreportinguser@hotmail.com"]),  # JMRP, wrapped
    (PHP + "arf6.txt", "abuse", ["masterblastervarun@hotmail.com"]),  # JMRP, the mail itself
]


def event_of(raw: bytes) -> events.MessageReceived:
    (event,) = normalize(raw, MailboxConfig(), NOW).events
    assert isinstance(event, events.MessageReceived)
    return event


def kind_of(event: events.MessageReceived) -> str:
    f = event.flags
    kinds = [k for k, on in (("bounce", f.bounce), ("delay", f.delivery_delayed)) if on]
    assert len(kinds) <= 1 and not f.auto_reply and not f.feedback_report
    return kinds[0] if kinds else "none"


@pytest.mark.parametrize(
    ("name", "kind", "recipients", "status", "original"), REPORTS, ids=[r[0] for r in REPORTS]
)
def test_report_recipients_status_and_original(
    corpora: Path,
    name: str,
    kind: str,
    recipients: list[str],
    status: str | None,
    original: str | None,
) -> None:
    event = event_of((corpora / "bounces" / name).read_bytes())
    assert kind_of(event) == kind
    assert event.report_recipients == recipients
    assert event.bounce_status == status
    assert event.thread.replied_to_message_id == original
    assert event.sender.role == "system"


@pytest.mark.parametrize(("name", "kind", "recipients"), FEEDBACK, ids=[f[0] for f in FEEDBACK])
def test_feedback_reports(corpora: Path, name: str, kind: str, recipients: list[str]) -> None:
    event = event_of((corpora / "bounces" / name).read_bytes())
    assert event.flags.feedback_report and not event.flags.bounce
    assert event.feedback_type == kind
    assert event.report_recipients == recipients
    assert event.bounce_status is None


def forwarded(report: bytes, subject: str) -> bytes:
    """A person's mail carrying a real report as a message/rfc822 attachment."""
    head = (
        "From: Jo <jo@example.test>\r\nTo: support@acme.test\r\nMessage-ID: <f1@example.test>\r\n"
        f"Subject: {subject}\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\n'
        "Content-Type: text/plain\r\n\r\nWhy did my mail to you bounce?\r\n--b1\r\n"
        "Content-Type: message/rfc822\r\n\r\n"
    )
    return head.encode() + report + b"\r\n--b1--\r\n"


@pytest.mark.parametrize(
    "name",
    [
        "mikel-mail/spec/fixtures/emails/multipart_report_emails/report_530.eml",
        BE + "tt_bounce_08.txt",
    ],
)
@pytest.mark.parametrize("subject", ["Fwd: Returned mail", "Re: Undelivered Mail", "help"])
def test_a_report_a_person_forwards_is_their_own_mail(
    corpora: Path, name: str, subject: str
) -> None:
    path = corpora / name if name.startswith("mikel") else corpora / "bounces" / name
    event = event_of(forwarded(path.read_bytes(), subject))
    assert kind_of(event) == "none"
    assert event.sender.role == "customer" and event.report_recipients == []


@pytest.mark.parametrize("name", [PHP + "arf6.txt", PHP + "fbl-yahoo.txt"])
def test_a_complaint_a_person_attaches_is_their_own_mail(corpora: Path, name: str) -> None:
    event = event_of(forwarded((corpora / "bounces" / name).read_bytes(), "look at this"))
    assert not event.flags.feedback_report and event.feedback_type is None
    assert event.sender.role == "customer"


def test_a_success_dsn_is_no_bounce(corpora: Path) -> None:
    """The same real DSN, its recipient block turned into a delivery success (NOTIFY=SUCCESS)."""
    raw = (corpora / MIKEL / "multipart_report_emails/report_530.eml").read_bytes()
    assert kind_of(event_of(raw)) == "bounce"
    success = raw.replace(b"Action: failed", b"Action: delivered").replace(b"5.3.0", b"2.0.0")
    event = event_of(success)
    assert not event.flags.bounce and not event.flags.delivery_delayed
    assert event.bounce_status is None and event.report_recipients == []


def test_ordinary_mail_never_reaches_the_library_scan(
    corpora: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cost guard: mail that cannot be a report stays on the fast path."""
    scanned: list[Part] = []
    real = bounces._scan

    def counting(root: Part) -> bounces.Outcome | None:
        scanned.append(root)
        return real(root)

    monkeypatch.setattr(bounces, "_scan", counting)
    mails = sorted((corpora / MIKEL / "plain_emails").glob("*.eml"))
    assert len(mails) >= 15
    for path in mails:
        event_of(path.read_bytes())
    assert scanned == []
    event_of((corpora / "bounces" / FL / "yahoo_01.txt").read_bytes())
    assert len(scanned) == 1  # and a plain-text bounce does


def mail(*headers: str) -> bytes:
    base = ["From: Jo <jo@example.test>", "To: support@acme.test", "Message-ID: <m1@x.test>"]
    return ("\r\n".join([*base, *headers]) + "\r\n\r\nhello\r\n").encode()


@pytest.mark.parametrize(
    ("headers", "auto"),
    [
        (["Auto-Submitted: auto-replied"], True),
        (["Auto-Submitted: no", "Subject: Out of Office: back Monday"], False),  # a person says so
        (["X-Autoreply: yes"], True),
        (["X-Autoresponder: vacation"], True),
        (["X-Autogenerated: Reply"], True),
        (["X-Mailer: vacation 1.2.6"], True),
        (["Precedence: auto_reply"], True),
        (["Precedence: bulk", "In-Reply-To: <q@acme.test>"], True),
        (["Precedence: bulk"], False),  # newsletters and spam carry it too
        (["Precedence: bulk", "List-Unsubscribe: <mailto:u@l.test>", "Return-Path: <>"], False),
        (["Subject: Automatic reply: your order"], True),
        (["Subject: Re: Automatic reply: your order"], False),  # a person answering it
        (["Subject: Out of office"], True),
        (["Subject: Out of office tomorrow, can we meet?"], False),
        (["Subject: office hours"], False),
    ],
)
def test_auto_reply_rules(headers: list[str], auto: bool) -> None:
    assert event_of(mail(*headers)).flags.auto_reply is auto


@pytest.mark.parametrize(
    "subject",
    [
        "Shipping delay on order 42",
        "Payment rejected - what now?",
        "Delivery failure of my parcel",
        "Undelivered package",
        "Warning: message from your bank looks odd",
    ],
)
def test_a_person_writing_about_delivery_is_no_report(subject: str) -> None:
    event = event_of(mail(f"Subject: {subject}"))
    assert kind_of(event) == "none" and not event.flags.auto_reply
    assert event.sender.role == "customer"


@pytest.mark.parametrize(
    ("subject", "auto"),
    [
        ("Abwesenheitsnotiz: Rechnung 42", True),
        ("Automatische Antwort: Rechnung 42", True),
        ("Réponse automatique : commande", True),
        ("Respuesta automática: pedido", True),
        ("Risposta automatica: ordine", True),
        ("Automatisch antwoord: bestelling", True),
        ("[Automatyczna odpowiedź ] test", True),
        ("Автоответ: заказ", True),
        ("自動返信: ご注文", True),
        ("Re: blah (Automatic Response)", True),
        ("AW: Abwesenheitsnotiz: Rechnung 42", False),
        ("Fwd: Out of Office: Jo", False),
        ("Wer ist abwesend? Bitte antworten", False),
        ("My automatic reply settings are broken, please help", False),
    ],
)
def test_auto_reply_subjects(subject: str, auto: bool) -> None:
    assert by_subject(subject) is auto


@pytest.mark.parametrize(
    "body",
    [
        b"here is your list of failed recipients\n" + b"< " * 120_000 + b"\n",
        b"Your message to: \n" + b"x" * 250_000 + b"\n",
        b"here is your list of failed recipients\n" + (b"< " * 499 + b"\n") * 260,
    ],
    ids=["one long line", "one long word", "many full lines"],
)
def test_hostile_report_lookalikes_scan_in_bounded_time(body: bytes) -> None:
    """flufl's patterns are quadratic in line and word length; we cut both before it scans."""
    head = b"From: MAILER-DAEMON@x.test\nSubject: Undelivered Mail\nMessage-ID: <h@x.test>\n\n"
    started = time.process_time()
    event_of(head + body)
    assert time.process_time() - started < 1.5
