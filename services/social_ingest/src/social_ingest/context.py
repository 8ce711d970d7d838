"""What every pure normalizer needs besides the payload: tenant, clock reading, phone region."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

import msgspec

from hotline import events


@dataclass(frozen=True)
class Context:
    tenant: str
    received_at: datetime
    region: str | None = None  # default region for national phone numbers (SMS)

    @classmethod
    def now(cls, tenant: str = "default", region: str | None = None) -> Context:
        return cls(tenant, datetime.now(UTC), region)


def envelope(
    ctx: Context,
    channel: events.ChannelRef,
    provider_id: str,
    kind: str,
    *,
    customer: str,
    at: datetime | None,
) -> events.EnvelopeFields:
    """The envelope of one event; keyed by (tenant, channel, account, customer handle)."""
    return events.EnvelopeFields(
        event_id=events.event_id_for(ctx.tenant, channel.kind, provider_id, kind),
        tenant=ctx.tenant,
        channel=channel,
        provider_message_id=provider_id,
        received_at=ctx.received_at,
        conversation_key=f"{ctx.tenant}/{channel.kind}/{channel.account_id}/{customer}",
        provider_timestamp=at,
    )


def from_unix(value: str | int | float | None, millis: bool = False) -> datetime | None:
    """Provider unix time (seconds or milliseconds, number or digit string) to aware UTC."""
    if value is None or value == "":
        return None
    try:
        seconds = float(value) / (1000 if millis else 1)
        return datetime.fromtimestamp(seconds, UTC)
    except (ValueError, OverflowError, OSError):
        return None


def canonical(raw: bytes) -> tuple[str, bytes]:
    """Compact JSON with sorted keys and its digest: a stable id for records without one."""
    compact = msgspec.json.encode(msgspec.json.decode(raw), order="sorted")
    return hashlib.sha256(compact).hexdigest()[:32], compact
