"""The window store: customer messages only, the latest time wins, offsets beside the rows."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from aiokafka import TopicPartition
from aiokafka.structs import ConsumerRecord

from hotline import events as ev
from hotline.kafka import Batch, Item
from social_ingest.window_store import WindowStore
from tests.unit.social.helpers import T0

WA = ev.ChannelRef(kind="whatsapp", account_id="pn-1")
TP = TopicPartition("hotline.inbound.social", 2)


def message(pid: str, at_hours: float, role: ev.Role = "customer", who: str = "491") -> ev.Event:
    return ev.MessageReceived(
        event_id=pid,
        tenant="acme",
        channel=WA,
        provider_message_id=pid,
        received_at=T0,
        conversation_key=f"acme/whatsapp/pn-1/{who}",
        provider_timestamp=T0 + timedelta(hours=at_hours),
        sender=ev.Sender(handle=who, role=role),
        content=ev.TextContent(text="x"),
    )


def batch(offset: int, *evts: ev.Event) -> Batch[ev.Event]:
    items = [
        Item(ConsumerRecord(TP.topic, TP.partition, offset + i, 0, 0, None, b"", None, 0, 0, []), e)
        for i, e in enumerate(evts)
    ]
    return Batch(TP, items)


async def test_latest_customer_message_wins_and_agents_do_not_count(tmp_path: Path) -> None:
    store = WindowStore(str(tmp_path / "w.db"))
    await store.handle(batch(0, message("a", 0), message("b", -5), message("c", 3, role="agent")))
    assert store.last_inbound("acme", WA, "491") == T0
    await store.handle(batch(3, message("d", 1)))
    assert store.last_inbound("acme", WA, "491") == T0 + timedelta(hours=1)
    assert store.last_inbound("acme", WA, "999") is None
    assert await store.load(store.group, [TP]) == {TP: 4}  # offsets saved with the rows
    store.close()


async def test_the_group_belongs_to_the_file(tmp_path: Path) -> None:
    first = WindowStore(str(tmp_path / "a.db"))
    again = WindowStore(str(tmp_path / "a.db"))
    other = WindowStore(str(tmp_path / "b.db"))
    assert first.group == again.group != other.group
    for s in (first, again, other):
        s.close()


async def test_results_are_remembered_by_reply_id() -> None:
    store = WindowStore(":memory:")
    assert store.result_of("r1") is None
    store.remember("r1", b"{}")
    assert store.result_of("r1") == b"{}"
