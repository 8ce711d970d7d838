"""Ops records for Meta updates that are not messages (account, template, calls, preferences)."""

from __future__ import annotations

from datetime import datetime

import msgspec

from hotline import events as ev
from social_ingest.context import Context, canonical
from social_ingest.ops import OpsRecord


class _Hint(msgspec.Struct, forbid_unknown_fields=False):
    event: str | int | None = None


_hint = msgspec.json.Decoder(_Hint)


def ops_record(
    ctx: Context,
    kind: ev.ChannelKind,
    account_id: str,
    field: str,
    raw: msgspec.Raw,
    *,
    at: datetime | None,
) -> OpsRecord:
    """One update; its id is derived from the field and the canonical payload (retry-safe)."""
    digest, compact = canonical(raw)
    provider_id = f"{account_id}:{field}:{digest}"
    tenant = ctx.tenant_of(kind, account_id)
    return OpsRecord(
        event_id=ev.event_id_for(tenant, kind, provider_id, "ops"),
        tenant=tenant,
        channel=ev.ChannelRef(kind=kind, account_id=account_id),
        field=field,
        name=_name(raw),
        received_at=ctx.received_at,
        provider_timestamp=at,
        payload=msgspec.Raw(compact),
    )


def _name(raw: msgspec.Raw) -> str:
    try:
        event = _hint.decode(raw).event
    except msgspec.ValidationError:
        return ""
    return "" if event is None else str(event)
