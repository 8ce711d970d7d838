from __future__ import annotations

import gc

import msgspec
import pytest

from hotline import events as ev
from tests.unit.foundation.samples import all_samples


def test_event_id_is_deterministic_and_separates_inputs() -> None:
    a = ev.event_id_for("acme", "whatsapp", "wamid.1", "msg")
    assert a == ev.event_id_for("acme", "whatsapp", "wamid.1", "msg")
    others = {
        ev.event_id_for("other", "whatsapp", "wamid.1", "msg"),
        ev.event_id_for("acme", "sms", "wamid.1", "msg"),
        ev.event_id_for("acme", "whatsapp", "wamid.2", "msg"),
        ev.event_id_for("acme", "whatsapp", "wamid.1", "status"),
    }
    assert a not in others and len(others) == 4


def test_field_boundaries_cannot_collide() -> None:
    assert ev.event_id_for("a", "b", "c d") != ev.event_id_for("a", "b c", "d")


@pytest.mark.parametrize("name", sorted(all_samples()))
def test_round_trip_every_tag(name: str) -> None:
    event = all_samples()[name]
    data = ev.encode(event)
    assert ev.decode(data) == event
    assert msgspec.json.decode(data)["type"] == ev.event_tag(event)


def test_tags_are_versioned() -> None:
    tags = {ev.event_tag(e) for e in all_samples().values()}
    assert tags == {
        "message.received.v1",
        "message.edited.v1",
        "message.deleted.v1",
        "reaction.v1",
        "delivery.status.v1",
        "reply.requested.v1",
        "reply.result.v1",
        "ops.update.v1",
        "agent.typing.v1",
    }


def test_partition_key_is_the_conversation_key() -> None:
    samples = all_samples()
    assert ev.partition_key(samples["message_text"]) == b"acme/whatsapp/+491701234567"
    assert ev.partition_key(samples["reply_requested"]) == b"conv-1"


def test_defaults_are_omitted_on_the_wire() -> None:
    data = msgspec.json.decode(ev.encode(all_samples()["message_text"]))
    assert "flags" in data  # a Struct default is encoded empty ...
    assert data["flags"] == {} and "attachments" not in data


def test_unknown_fields_are_tolerated_for_forward_compatibility() -> None:
    doc = msgspec.json.decode(ev.encode(all_samples()["deleted"]))
    doc["added_in_a_later_version"] = {"x": 1}
    assert ev.decode(msgspec.json.encode(doc)) == all_samples()["deleted"]


def test_schema_mismatch_names_the_field_path() -> None:
    doc = msgspec.json.decode(ev.encode(all_samples()["message_text"]))
    doc["sender"]["identifiers"][0]["verified"] = "yes"
    with pytest.raises(msgspec.ValidationError, match=r"\$\.sender\.identifiers\[0\]\.verified"):
        ev.decode(msgspec.json.encode(doc))


def test_unknown_tag_is_rejected() -> None:
    with pytest.raises(msgspec.ValidationError, match=r"Invalid value 'message\.received\.v9'"):
        ev.decode(b'{"type":"message.received.v9"}')


def test_decoded_events_are_not_tracked_by_the_garbage_collector() -> None:
    """Plain data (gc=False): thousands per poll, and collections need not walk them."""
    for name, sample in all_samples().items():
        decoded = ev.decode(ev.encode(sample))
        assert not gc.is_tracked(decoded), name
