"""What every pure normalizer needs besides the payload: the tenancy (which tenant each channel
account belongs to), the tenants of the accounts the edge routed this request to, the clock
reading, the default phone region."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType

import msgspec

from hotline import events
from hotline.tenancy import Tenancy


@dataclass(frozen=True)
class Context:
    tenancy: Tenancy  # configuration: the tenant of each channel account, never a provider value
    received_at: datetime
    region: str | None = None  # default region for national phone numbers (SMS)
    # (kind, account id or "*" for every id of the kind) -> the routed account's tenant
    pinned: Mapping[tuple[str, str], str] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def now(
        cls,
        tenant: str = "default",
        region: str | None = None,
        tenancy: Tenancy | None = None,
        pinned: Mapping[tuple[str, str], str] | None = None,
    ) -> Context:
        """``tenant`` alone: every account belongs to it (the CLI, tests)."""
        tenancy = tenancy or Tenancy(default=tenant)
        return cls(tenancy, datetime.now(UTC), region, MappingProxyType(dict(pinned or {})))

    def tenant_of(self, kind: str, account_id: str) -> str:
        """The tenant of the channel account an event arrived on (per event, not per process):
        the routed account's, else the tenancy's."""
        pinned = self.pinned.get((kind, account_id)) or self.pinned.get((kind, "*"))
        return pinned or self.tenancy.tenant_for(kind, account_id)


def envelope(
    ctx: Context,
    channel: events.ChannelRef,
    provider_id: str,
    kind: str,
    *,
    customer: str,
    at: datetime | None,
) -> events.EnvelopeFields:
    """The envelope of one event; keyed by (tenant, channel, account, customer handle). The
    tenant is the channel account's, and the event id and conversation key both use it."""
    tenant = ctx.tenant_of(channel.kind, channel.account_id)
    return events.EnvelopeFields(
        event_id=events.event_id_for(tenant, channel.kind, provider_id, kind),
        tenant=tenant,
        channel=channel,
        provider_message_id=provider_id,
        received_at=ctx.received_at,
        conversation_key=f"{tenant}/{channel.kind}/{channel.account_id}/{customer}",
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
