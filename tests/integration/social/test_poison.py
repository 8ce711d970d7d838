"""A verified body the normalizer cannot handle is poison: the original bytes and the reason go
to the dead-letter topic (acked by the real broker), the sender gets 200, nothing else lands.
The edge is the app's own WhatsApp edge on the running service's intake, normalizing with a
normalizer that crashes."""

from __future__ import annotations

import pytest

from hotline.http.hotpath import Inbound
from hotline.kafka import DLQ_HEADER_PREFIX
from hotline.topics import INBOUND_SOCIAL, OPS
from social_ingest.context import Context
from social_ingest.ops import Normalized
from tests.integration.social.conftest import Running
from tests.kafka_helpers import read_all, total_records
from tests.unit.social.edges import edge_with
from tests.unit.social.test_whatsapp_edge import sign

pytestmark = pytest.mark.integration
DLQ = f"{INBOUND_SOCIAL}.dlq"


def exploding(body: bytes, ctx: Context) -> Normalized:
    raise ZeroDivisionError("a shape the normalizer did not foresee")


async def test_poison_goes_to_the_dead_letter_topic(social: Running, kafka: str) -> None:
    body = b'{"object":"whatsapp_business_account","entry":[]} poison-marker-7'
    before = await total_records(kafka, INBOUND_SOCIAL, OPS)
    edge = edge_with("whatsapp", social.settings, exploding)
    answer = await edge(social.app.state.hotline, Inbound(body, sign(body), ""))
    assert answer.status == 200
    letters = [r for r in await read_all(kafka, DLQ) if r.value == body]
    assert len(letters) == 1
    headers = {k: v.decode() for k, v in letters[0].headers}
    assert headers[DLQ_HEADER_PREFIX + "reason"] == "crash:ZeroDivisionError"
    assert "did not foresee" in headers[DLQ_HEADER_PREFIX + "error"]
    assert headers[DLQ_HEADER_PREFIX + "source_topic"] == "/webhooks/whatsapp"
    assert await total_records(kafka, INBOUND_SOCIAL, OPS) == before
