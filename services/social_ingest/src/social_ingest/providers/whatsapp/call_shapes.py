"""WhatsApp Cloud Calling API webhook shapes (the ``calls`` field), msgspec.

A ``calls`` change carries ``calls[]`` (``event``: "connect" when a call is set up,
"terminate" when either side hangs up, with status COMPLETED/FAILED, start/end time and
duration) and, for business-initiated calls, ``statuses[]`` of ``type`` "call" (RINGING,
ACCEPTED, REJECTED). Lenient where Meta varies; the call id, ``from`` and ``to`` are relied on.
"""

from __future__ import annotations

import msgspec

from social_ingest.decoding import decode
from social_ingest.providers.whatsapp.parse import Change, Contact, Error, Metadata, S, Status

CALLS_FIELD = "calls"


class Call(S, rename={"from_": "from"}):
    id: str
    from_: str
    to: str
    event: str  # "connect" | "terminate"
    direction: str = ""  # "USER_INITIATED" | "BUSINESS_INITIATED"
    timestamp: str | int | None = None
    status: str | None = None  # terminate: "COMPLETED" | "FAILED"
    start_time: str | int | None = None
    end_time: str | int | None = None
    duration: int | str | None = None  # seconds


class CallsValue(S):
    metadata: Metadata
    contacts: list[Contact] = msgspec.field(default_factory=list)
    calls: list[Call] = msgspec.field(default_factory=list)
    statuses: list[Status] = msgspec.field(default_factory=list)
    errors: list[Error] = msgspec.field(default_factory=list)


_value = msgspec.json.Decoder(CallsValue)


def parse_calls(change: Change, where: str) -> CallsValue:
    """One ``calls`` change's value; PermanentError "schema_mismatch" (with the path)."""
    return decode(_value, change.value, f"{where}.value")
