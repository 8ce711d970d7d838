"""Shared helpers for the social unit tests: fixed context, kind labels, corpus access."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import msgspec

from hotline import events as ev
from hotline.tenancy import Tenancy
from social_ingest.context import Context
from social_ingest.ops import Normalized, OpsRecord

T0 = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)
CTX = Context(tenancy=Tenancy(default="acme"), received_at=T0, region="US")
REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures" / "social"


def kind(item: ev.Event | OpsRecord) -> str:
    """A short label: message/<content kind>, edited, deleted, reaction, status/<s>, ops/<field>,
    call/<step> (call/ended/<outcome>)."""
    if isinstance(item, OpsRecord):
        return f"ops/{item.field}"
    if isinstance(item, ev.CallEnded):
        return f"call/ended/{item.outcome}"
    if isinstance(item, ev.CallStarted | ev.CallAnswered):
        return "call/" + str(type(item).__struct_config__.tag).split(".")[1]
    if isinstance(item, ev.MessageReceived):
        return f"message/{type(item.content).__struct_config__.tag}"
    if isinstance(item, ev.DeliveryStatus):
        return f"status/{item.status}"
    return {ev.MessageEdited: "edited", ev.MessageDeleted: "deleted", ev.Reaction: "reaction"}[
        type(item)
    ]


def kinds(out: Normalized) -> list[str]:
    return [kind(e) for e in out.events] + [kind(o) for o in out.ops]


def named_cases(path: Path) -> dict[str, bytes]:
    """A {name: body} bundle file -> each body's exact stored bytes."""
    raw = msgspec.json.decode(path.read_bytes(), type=dict[str, msgspec.Raw])
    return {name: bytes(value) for name, value in raw.items()}
