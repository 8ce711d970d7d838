"""The intake's port to the broker: ``KafkaPublisher`` for the real one, ``MemoryPublisher``
(a fake that keeps what it was given and can be switched off) for tests without a broker."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from hotline import events
from hotline.kafka.dlq import DLQ_HEADER_PREFIX
from hotline.kafka.errors import KafkaUnavailable
from hotline.kafka.producer import EventProducer
from hotline.kafka.records import Headers
from hotline.topics import event_topic


class Publisher(Protocol):
    async def publish(self, evts: Sequence[events.Event], topic: str | None = None) -> None:
        """Return once every event is acked (on ``topic``, else its own); KafkaUnavailable else."""

    async def dead_letter(
        self, topic: str, value: bytes, *, key: bytes | None, headers: Headers
    ) -> None:
        """Return once the dead letter is acked; KafkaUnavailable otherwise."""


class KafkaPublisher:
    def __init__(self, producer: EventProducer) -> None:
        self.producer = producer

    async def publish(self, evts: Sequence[events.Event], topic: str | None = None) -> None:
        await self.producer.publish(evts, topic=topic)

    async def dead_letter(
        self, topic: str, value: bytes, *, key: bytes | None, headers: Headers
    ) -> None:
        await self.producer.send(topic, value, key=key, headers=headers)


@dataclass(frozen=True)
class Letter:
    topic: str
    value: bytes
    key: bytes | None
    headers: dict[str, bytes]

    @property
    def reason(self) -> str:
        return self.headers[DLQ_HEADER_PREFIX + "reason"].decode()


@dataclass
class MemoryPublisher:
    """``down`` makes every call fail as an unreachable broker would; ``calls`` counts attempts."""

    down: bool = False
    published: list[tuple[str, events.Event]] = field(default_factory=list)
    letters: list[Letter] = field(default_factory=list)
    calls: int = 0

    async def publish(self, evts: Sequence[events.Event], topic: str | None = None) -> None:
        self._attempt()
        self.published.extend((topic or event_topic(e), e) for e in evts)

    async def dead_letter(
        self, topic: str, value: bytes, *, key: bytes | None, headers: Headers
    ) -> None:
        self._attempt()
        self.letters.append(Letter(topic, value, key, dict(headers)))

    def events_on(self, topic: str) -> list[events.Event]:
        return [e for t, e in self.published if t == topic]

    def _attempt(self) -> None:
        self.calls += 1
        if self.down:
            raise KafkaUnavailable("broker down (MemoryPublisher.down)")
