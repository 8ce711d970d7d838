"""Operations records (provider account, template, call and preference updates).

They are not customer messages, so they go to ``hotline.ops`` rather than the message stream.
They are ``ops.update.v1`` events of the shared contract (deterministic id, tenant, channel,
the raw provider payload kept).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hotline import events

OpsRecord = events.OpsUpdate  # ops.update.v1 in the shared contract


@dataclass
class Normalized:
    """What one verified webhook body becomes: events for the stream, records for ops."""

    events: list[events.Event] = field(default_factory=list)
    ops: list[OpsRecord] = field(default_factory=list)

    def extend(self, other: Normalized) -> None:
        self.events.extend(other.events)
        self.ops.extend(other.ops)
