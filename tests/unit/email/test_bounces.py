"""Real DSNs (the bounce corpus, read at test time): each is flagged a bounce (or a delay
warning, when every recipient is only delayed), and the bounced mail's Message-ID — our
reply's, when we sent it — is carried in ``thread.in_reply_to`` (where the unifier threads by
it) and in ``thread.replied_to_message_id``. Expected ids come from the standard library's
parser, not from ours. Feedback reports are their own kind."""

from __future__ import annotations

import email
import email.policy
import json
import re
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from email_ingest.normalize import MailboxConfig, normalize
from hotline import events

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
FORWARDED = {"flufl.bounce/tests/data/dsn_15.txt"}  # a DSN inside a message/rfc822 attachment
# Read by hand where the stdlib cannot: a quoted-printable message/rfc822 part ("=40" is "@")
FEEDBACK_TYPES = {"php-bounce-handler/eml/arf2.txt": "opt-out"}  # the others say "abuse"
BY_HAND = {"php-bounce-handler/eml/5.1.1.eml": "<WEB81cac9beface4402924f1a59849325a3@web>"}


def corpus_files(corpora: Path, kind: str) -> list[dict[str, Any]]:
    index = json.loads((corpora / "bounces" / "index.json").read_text())
    files: list[dict[str, Any]] = index["files"]
    return [f for f in files if f["kind"].startswith(kind)]


def event_of(raw: bytes) -> events.MessageReceived:
    (event,) = normalize(raw, MailboxConfig(), NOW).events
    assert isinstance(event, events.MessageReceived)
    return event


def original_id(raw: bytes) -> str | None:
    """The Message-ID of the returned message or headers part, by the stdlib parser."""
    msg = email.message_from_bytes(raw.lstrip(), policy=email.policy.compat32)
    for part in msg.walk():
        inner = _returned(part)
        if inner is not None:
            m = re.search(r"<[^<>\s]+>", str(inner.get("Message-ID") or ""))
            return m.group(0) if m else None
    return None


def _returned(part: Message) -> Message | None:
    kind = part.get_content_type()
    if kind == "message/rfc822":
        payload = part.get_payload()
        first = payload[0] if isinstance(payload, list) and payload else None
        return first if isinstance(first, Message) else None
    if kind != "text/rfc822-headers":
        return None
    decoded = part.get_payload(decode=True)
    body = decoded if isinstance(decoded, bytes) else b""
    return email.message_from_bytes(body.lstrip(), policy=email.policy.compat32)


def test_every_dsn_of_the_corpus_is_a_bounce_or_delay_carrying_the_original_id(
    corpora: Path,
) -> None:
    dsns = [f for f in corpus_files(corpora, "bounce (DSN") if f["file"] not in FORWARDED]
    assert len(dsns) >= 50
    with_id = 0
    for entry in dsns:
        raw = (corpora / "bounces" / entry["file"]).read_bytes()
        event = event_of(raw)
        expected = BY_HAND.get(entry["file"]) or original_id(raw)
        assert event.flags.bounce != event.flags.delivery_delayed, entry["file"]
        assert event.sender.role == "system", entry["file"]
        assert event.thread.replied_to_message_id == expected, entry["file"]
        if expected is not None:
            with_id += 1
            assert expected in event.thread.in_reply_to, entry["file"]
    assert with_id >= 40  # most DSNs return the original or its headers


@pytest.mark.parametrize("kind", ["auto-reply", "other"])
def test_no_other_kind_is_a_bounce(corpora: Path, kind: str) -> None:
    for entry in corpus_files(corpora, kind):
        raw = (corpora / "bounces" / entry["file"]).read_bytes()
        event = event_of(raw)
        assert not event.flags.bounce and not event.flags.delivery_delayed, entry["file"]
        assert not event.flags.feedback_report, entry["file"]
        assert event.thread.replied_to_message_id is None, entry["file"]
        assert event.sender.role == "customer", entry["file"]


def test_feedback_reports_are_their_own_kind_carrying_the_original_id(corpora: Path) -> None:
    """ARF and JMRP complaints: not bounces; the complained-about mail's id threads them."""
    reports = corpus_files(corpora, "feedback-report")
    assert len(reports) == 10
    for entry in reports:
        event = event_of((corpora / "bounces" / entry["file"]).read_bytes())
        assert event.flags.feedback_report, entry["file"]
        assert not event.flags.bounce and not event.flags.auto_reply, entry["file"]
        assert event.feedback_type == FEEDBACK_TYPES.get(entry["file"], "abuse"), entry["file"]
        assert event.sender.role == "system", entry["file"]
        expected = original_id((corpora / "bounces" / entry["file"]).read_bytes())
        assert event.thread.replied_to_message_id == expected, entry["file"]
