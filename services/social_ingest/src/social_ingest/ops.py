"""Operations records (provider account, template, call and preference updates).

They are not customer messages, so they go to ``hotline.ops`` rather than the message stream.
The event contract has no tag for them yet, so this service defines ``ops.update.v1`` here
(same envelope style: deterministic id, tenant, channel, the raw provider payload kept).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import msgspec

from hotline import events


class OpsRecord(
    msgspec.Struct, kw_only=True, omit_defaults=True, tag="ops.update.v1", tag_field="type"
):
    event_id: str
    tenant: str
    channel: events.ChannelRef
    field: str  # the provider's update kind: account_update, calls, template status ...
    name: str = ""  # the provider's event name inside it: APPROVED, ACCOUNT_DELETED, connect
    received_at: datetime
    provider_timestamp: datetime | None = None
    payload: msgspec.Raw = msgspec.Raw(b"null")  # the provider's JSON (compact, keys sorted)


@dataclass
class Normalized:
    """What one verified webhook body becomes: events for the stream, records for ops."""

    events: list[events.Event] = field(default_factory=list)
    ops: list[OpsRecord] = field(default_factory=list)

    def extend(self, other: Normalized) -> None:
        self.events.extend(other.events)
        self.ops.extend(other.ops)


_encoder = msgspec.json.Encoder()


def encode_ops(record: OpsRecord) -> bytes:
    return _encoder.encode(record)
