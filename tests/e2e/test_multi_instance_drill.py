"""Short multi-instance drill (issue 22 §6 in `make test`): two unifiers in one consumer group on
one PostgreSQL, real edges, real broker, ≥ 500 msg/s offered. The instance whose outbox relay
owns the database's lease is killed -9 (unifier and relay child): the other instance's relay
takes the lease over within seconds, the killed instance's partitions move to the other, and
nothing is lost, doubled or reordered. New people writing two mails at the same moment (two
conversations, two partitions) each end as one contact. `make soak` runs it for longer (M1)."""

from __future__ import annotations

import asyncio

import pytest

from bench.scenarios import Scenario, execute
from hotline_tools.load.faults import Fault

pytestmark = pytest.mark.e2e


def multi_instance(duration: float, rate: float = 560) -> Scenario:
    """``rate`` sends/s, a tenth of them provider retries: 504 new messages/s offered."""
    return Scenario(
        "smoke-M1",
        "two unifiers on PostgreSQL; kill -9 the relay's owner",
        rate=rate,
        duration=duration,
        faults=[Fault("relay_owner", every=duration * 10, down=13.0, first_at=duration / 4)],
        database="postgres",
        unifiers=2,
        same_person=200,
        retry_share=0.1,
    )


def test_two_unifiers_survive_the_kill_of_the_relay_owner() -> None:
    doc = asyncio.run(execute(multi_instance(20.0)))
    delivery, figures = doc["delivery"], doc["multi"]
    assert isinstance(delivery, dict) and isinstance(figures, dict)
    assert doc["acked"] == doc["sent"], "senders retry until acked, like providers"
    assert figures["offered_messages_per_s"] >= 500
    assert delivery["lost"] == 0, delivery["examples"]
    assert delivery["duplicates"] == 0, delivery["examples"]
    assert delivery["out_of_order"] == 0, delivery["examples"]
    assert delivery["counters_exact"], delivery
    kills = figures["kills"]
    assert isinstance(kills, list) and len(kills) == 1, "the relay's owner was found and killed"
    takeover, moved = kills[0]["relay_takeover_s"], kills[0]["partitions_moved_s"]
    assert takeover is not None and takeover < 5.0, kills
    assert moved is not None and kills[0]["moved_partitions"] == 6, kills
    assert figures["identifiers_on_several_contacts"] == 0, figures
    pairs = figures["same_person"]
    assert isinstance(pairs, dict)
    assert pairs["messages_stored"] == 400 and pairs["verified_people"] == 200, pairs
    assert pairs["people_on_several_contacts"] == 0, pairs
