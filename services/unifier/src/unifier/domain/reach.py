"""Where an agent's reply can go: the channels a thread's customer can be answered on.

A reply answers the customer's latest message on the chosen channel, so a channel can take it
only when she wrote in this thread on it; the Meta channels answer free text only within 24
hours of her last message (their customer-service window; after it, approved templates only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from unifier.domain.names import handle_label

WINDOW = timedelta(hours=24)
WINDOWED = frozenset({"whatsapp", "messenger", "instagram"})
# Channels a text reply cannot go to: a call is answered by calling back (service.callbacks)
SPOKEN = frozenset({"voice"})


@dataclass(frozen=True)
class Reach:
    kind: str
    handle: str
    last_inbound: datetime | None  # her latest message in this thread on the channel
    blocked: str | None  # why a reply cannot go there; None: it can

    @property
    def ok(self) -> bool:
        return self.blocked is None

    @property
    def label(self) -> str:
        """The handle as agents see it (an address, a phone, "Visitor 3fa2c1"; never a raw id)."""
        return handle_label(self.kind, self.handle) if self.handle else ""


def reach(kind: str, handle: str, last_inbound: datetime | None, now: datetime) -> Reach:
    if last_inbound is None:
        why = f"the customer has not written on {kind} in this conversation: no message to answer"
        return Reach(kind, handle, None, why)
    if kind in WINDOWED and now - last_inbound > WINDOW:
        why = (
            f"the {kind} 24-hour reply window closed (her last message: "
            f"{last_inbound:%Y-%m-%d %H:%M} UTC); only an approved template can reach her"
        )
        return Reach(kind, handle, last_inbound, why)
    return Reach(kind, handle, last_inbound, None)


def channels(
    handles: dict[str, str], last_inbound: dict[str, datetime], now: datetime
) -> list[Reach]:
    """Every channel the contact has a handle on or wrote on here; the one she wrote on last
    first (the default). A phone call is no channel to write to."""
    written = {*handles, *last_inbound} - SPOKEN
    kinds = sorted(written, key=lambda k: (_recency(last_inbound.get(k)), k))
    return [reach(k, handles.get(k, ""), last_inbound.get(k), now) for k in kinds]


def _recency(at: datetime | None) -> float:
    return -at.timestamp() if at else float("inf")
