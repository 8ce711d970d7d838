"""What an edge hands the intake, and what the intake hands back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from hotline import events

OK_BODY = b'{"ok":true}'


@dataclass(frozen=True)
class Publish:
    """Events (messages, receipts, ops updates) to publish once; each goes to its own topic."""

    events: Sequence[events.Event]


@dataclass(frozen=True)
class Poison:
    """Verified input we cannot turn into events: its bytes go to ``topic``'s dead letters."""

    body: bytes
    reason: str
    topic: str  # the inbound topic it would have gone to; the dead letter goes to its DLQ
    source: str  # the route or transport it came by
    detail: str = ""
    key: bytes | None = None
    parser_version: str = ""


@dataclass(frozen=True)
class Reply:
    """Nothing to publish (a handshake, an ignored event): answer ``body`` as it is."""

    body: bytes = OK_BODY
    status: int = 200
    media_type: str = "application/json"


Outcome = Publish | Poison | Reply
Status = Literal["acked", "dead_lettered", "replied", "unavailable"]


@dataclass(frozen=True)
class Result:
    """``unavailable``: Kafka did not ack, nothing counts as published; the sender must retry."""

    status: Status
    produced: int = 0  # records this call produced (a resend of acked events produces none)
    detail: str = ""
    reply: Reply = field(default_factory=Reply)

    @property
    def accepted(self) -> bool:
        return self.status != "unavailable"
