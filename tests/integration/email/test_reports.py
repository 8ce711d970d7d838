"""Real machine reports from the corpus through the signed webhook of the running edge, onto
the real broker: each event says its kind, the recipients and codes, and threads to the
returned mail (a bounce, a delay warning, an ARF complaint, an auto-reply, a person's mail)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from hotline import events
from tests.integration.email.conftest import Service, signed_headers
from tests.kafka_helpers import read_all

pytestmark = pytest.mark.integration

BE = "bounces/bounce_email/test/"
BB = BE + "bounces/"
RM = "mikel-mail/spec/fixtures/emails/plain_emails/"
PHP = "bounces/php-bounce-handler/eml/"
# (corpus file, flag set, report_recipients, bounce_status, feedback_type)
REPORTS = [
    (BB + "tt_1234175799.txt", "bounce", ["agris.ameriks@amerimailzzz.lv"], "5.4.4", None),
    (BB + "malformed_bounce_01.txt", "bounce", ["mithlesh_pm@rediffmail.com"], "5.1.1", None),
    (BB + "tt_bounce_18.txt", "delivery_delayed", ["welcome6_@one.lv"], None, None),
    (PHP + "fbl-yahoo.txt", "feedback_report", ["someuser@yahoo.com"], None, "abuse"),
    (BE + "non_bounces/tt_1234211024.txt", "auto_reply", [], None, None),
    (RM + "raw_email_reply.eml", None, [], None, None),
]  # fmt: skip
FLAGS = ("bounce", "delivery_delayed", "feedback_report", "auto_reply")


async def post(service: Service, body: bytes) -> str:
    async with httpx.AsyncClient() as client:
        resp = await client.post(
            f"{service.url}/inbound/email", content=body, headers=signed_headers(body)
        )
    assert resp.status_code == 202, resp.text
    assert resp.json()["status"] == "published"
    event_id: str = resp.json()["event_id"]
    return event_id


async def test_reports_reach_the_broker_classified(
    kafka: str, email_service: Service, corpora: Path
) -> None:
    ids = [await post(email_service, (corpora / r[0]).read_bytes()) for r in REPORTS]
    published = {}
    for record in await read_all(kafka, email_service.topic, timeout=5):
        event = events.decode(record.value or b"")
        assert isinstance(event, events.MessageReceived)
        published[event.event_id] = event
    for event_id, (name, flag, recipients, status, feedback_type) in zip(ids, REPORTS, strict=True):
        event = published[event_id]
        assert [f for f in FLAGS if getattr(event.flags, f)] == ([flag] if flag else []), name
        assert event.report_recipients == recipients, name
        assert (event.bounce_status, event.feedback_type) == (status, feedback_type), name
        assert event.sender.role == ("system" if flag in FLAGS[:3] else "customer"), name
