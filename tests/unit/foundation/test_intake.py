"""The one edge intake on the in-memory publisher: published once, 'unavailable' when the
broker does not ack (nothing counted), poison to the right dead-letter topic with its reason,
replies passed through, events sent to their own topics unless the intake names one."""

from __future__ import annotations

import asyncio

import pytest

from hotline import events as ev
from hotline.intake import Intake, MemoryPublisher, Poison, Publish, Reply
from hotline.intake.http import answer_for
from hotline.intake.intake import poison_of
from hotline.kafka import PermanentError
from hotline.metrics import Metrics
from hotline.topics import INBOUND_EMAIL, INBOUND_SOCIAL, OPS
from tests.unit.foundation.samples import all_samples

SAMPLES = all_samples()
MESSAGE = SAMPLES["message_text"]
OPS_UPDATE = SAMPLES["ops_update"]


def intake(**kwargs: object) -> tuple[Intake, MemoryPublisher]:
    fake = MemoryPublisher()
    return Intake(fake, Metrics("test"), **kwargs), fake  # type: ignore[arg-type]


async def test_an_event_is_published_once_however_often_it_comes() -> None:
    take, fake = intake()
    first = await take.take(Publish([MESSAGE]))
    again = await take.take(Publish([MESSAGE, MESSAGE]))
    assert (first.status, first.produced) == ("acked", 1)
    assert (again.status, again.produced) == ("acked", 0)
    assert [e.event_id for _, e in fake.published] == [MESSAGE.event_id]


async def test_copies_in_flight_wait_for_the_first_ack() -> None:
    take, fake = intake()
    results = await asyncio.gather(*(take.take(Publish([MESSAGE])) for _ in range(5)))
    assert sorted(r.produced for r in results) == [0, 0, 0, 0, 1]
    assert all(r.status == "acked" for r in results)
    assert len(fake.published) == 1


async def test_broker_down_is_unavailable_and_a_later_retry_publishes() -> None:
    take, fake = intake()
    fake.down = True
    failed = await take.take(Publish([MESSAGE]))
    assert failed.status == "unavailable" and not failed.accepted
    assert fake.published == []
    assert answer_for(failed).status == 503
    fake.down = False
    assert (await take.take(Publish([MESSAGE]))).produced == 1


async def test_poison_goes_to_the_inbound_topics_dead_letters_with_its_reason() -> None:
    take, fake = intake()
    exc = PermanentError("unknown_shape", "no entry[0].changes")
    result = await take.take(poison_of(exc, b"{raw}", INBOUND_SOCIAL, "/whatsapp", "social-1"))
    assert (result.status, result.detail) == ("dead_lettered", "unknown_shape")
    [letter] = fake.letters
    assert (letter.topic, letter.value, letter.reason) == (
        "hotline.inbound.social.dlq",
        b"{raw}",
        "unknown_shape",
    )
    assert letter.headers["hotline.dlq.source_topic"] == b"/whatsapp"
    assert answer_for(result).status == 200  # handled: the provider must not retry it
    assert fake.published == []


async def test_a_crash_of_our_own_code_is_named_as_a_crash() -> None:
    poison = poison_of(KeyError("entry"), b"x", INBOUND_EMAIL, "smtp")
    assert poison.reason == "crash:KeyError"


async def test_dead_letter_with_the_broker_down_is_unavailable() -> None:
    take, fake = intake()
    fake.down = True
    poison = Poison(b"x", "unknown_shape", INBOUND_SOCIAL, "/x")
    assert (await take.take(poison)).status == "unavailable"
    assert fake.letters == []


async def test_a_reply_publishes_nothing_and_is_answered_as_given() -> None:
    take, fake = intake()
    result = await take.take(Reply(b"challenge-123", media_type="text/plain"))
    assert result.status == "replied"
    assert answer_for(result).body == b"challenge-123"
    assert fake.calls == 0


async def test_events_go_to_their_own_topics_unless_the_intake_names_one() -> None:
    take, fake = intake()
    await take.take(Publish([MESSAGE, OPS_UPDATE]))
    assert [t for t, _ in fake.published] == [INBOUND_SOCIAL, OPS]
    fixed, fixed_fake = intake(topic=INBOUND_EMAIL)
    await fixed.take(Publish([MESSAGE]))
    assert fixed_fake.published == [(INBOUND_EMAIL, MESSAGE)]


async def test_prepare_runs_on_fresh_events_only() -> None:
    seen: list[str] = []

    def prepare(fresh: list[ev.Event]) -> list[ev.Event]:
        seen.extend(e.event_id for e in fresh)
        return fresh

    take, _ = intake(prepare=prepare)
    await take.take(Publish([MESSAGE]))
    await take.take(Publish([MESSAGE]))
    assert seen == [MESSAGE.event_id]


@pytest.mark.parametrize("status", ["acked", "dead_lettered", "replied"])
def test_everything_but_unavailable_is_accepted(status: str) -> None:
    from hotline.intake import Result

    assert Result(status).accepted  # type: ignore[arg-type]
