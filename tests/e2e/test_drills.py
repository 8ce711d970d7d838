"""40-second smoke drill (issue 8's R1 + R2 in `make test`): real broker, real services, real
HTTP and SMTP traffic with provider retries, while social_ingest and the unifier are killed -9
and restarted. Acked messages must all be stored once and published once."""

from __future__ import annotations

import asyncio

import pytest

from bench.scenarios import Scenario, execute
from hotline_tools.load.faults import Fault

pytestmark = pytest.mark.e2e


def test_kill_ingest_and_unifier_loses_and_duplicates_nothing() -> None:
    scenario = Scenario(
        "smoke-R1R2",
        "kill -9 social_ingest and the unifier while traffic flows",
        rate=150,
        duration=40,
        faults=[
            Fault("social_ingest", every=13, first_at=11),
            Fault("unifier", every=13, first_at=5),
        ],
    )
    doc = asyncio.run(execute(scenario))
    delivery = doc["delivery"]
    assert isinstance(delivery, dict)
    faults = doc["faults"]
    assert isinstance(faults, list)
    kills = [m for m in faults if m["what"] == "kill -9"]
    assert {m["target"] for m in kills} == {"social_ingest", "unifier"} and len(kills) >= 4
    assert doc["acked"] == doc["sent"], "senders retry until acked, like providers"
    new_messages = scenario.rate * (1 - scenario.retry_share) * scenario.duration
    assert delivery["acked"] > 0.9 * new_messages, "the traffic kept flowing through the kills"
    assert delivery["lost"] == 0, delivery["examples"]
    assert delivery["duplicates"] == 0, delivery["examples"]
    assert delivery["counters_exact"], delivery
    assert delivery["out_of_order"] == 0, delivery["examples"]
