"""Generic CTI requests (Zammad's "Generic CTI" fields) -> one typed event.

A PBX POSTs a form (``application/x-www-form-urlencoded``) or a JSON object with ``event``
(newCall / answer / hangup), ``callId``, ``direction`` (in / out), ``from``, ``to`` and,
depending on the event, ``user`` (the agent; sipgate-style PBXs send ``user[]`` several
times), ``queue``, ``cause`` (hangup) and ``answeringNumber``. Bodies starting with "{" are
JSON, anything else a form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import msgspec

from hotline.kafka.errors import PermanentError

EVENTS = frozenset({"newCall", "answer", "hangup"})
DIRECTIONS = frozenset({"in", "out"})
MAX_FIELDS = 100


@dataclass(frozen=True)
class CtiEvent:
    event: str  # newCall, answer, hangup
    call_id: str
    direction: str  # "in" or "out", as sent
    source: str  # ``from``
    target: str  # ``to``
    user: str = ""  # the agent(s), joined by ", "
    queue: str = ""
    cause: str = ""
    answering_number: str = ""


def parse(body: bytes) -> CtiEvent:
    fields = _json(body) if body.lstrip().startswith(b"{") else _form(body)
    event = _need(fields, "event")
    if event not in EVENTS:
        raise _mismatch(f"Expected `newCall`, `answer` or `hangup`, got `{event}` - at `$.event`")
    direction = _need(fields, "direction")
    if direction not in DIRECTIONS:
        raise _mismatch(f"Expected `in` or `out`, got `{direction}` - at `$.direction`")
    return CtiEvent(
        event,
        _need(fields, "callId"),
        direction,
        _text(fields.get("from")),
        _text(fields.get("to")),
        user=_text(fields.get("user") or fields.get("user[]")),
        queue=_text(fields.get("queue")),
        cause=_text(fields.get("cause")),
        answering_number=_text(fields.get("answeringNumber")),
    )


def _form(body: bytes) -> dict[str, list[str]]:
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError) as exc:
        raise PermanentError("malformed", f"not a form body: {exc}") from exc
    fields: dict[str, list[str]] = {}
    for key, value in pairs:
        fields.setdefault(key, []).append(value)
    return fields


def _json(body: bytes) -> dict[str, Any]:
    try:
        doc = msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        raise PermanentError("malformed", str(exc)) from exc
    if not isinstance(doc, dict):
        raise _mismatch("Expected `object`")
    return doc


def _text(value: Any) -> str:
    """A field as text: lists (``user[]``) joined, numbers as digits, null as ""."""
    if isinstance(value, list):
        return ", ".join(t for t in (_text(v) for v in value) if t)
    if value is None or isinstance(value, bool | dict):
        return ""
    return str(value).strip()


def _need(fields: Mapping[str, Any], name: str) -> str:
    value = _text(fields.get(name))
    if not value:
        raise _mismatch(f"Object missing required field `{name}`")
    return value


def _mismatch(detail: str) -> PermanentError:
    return PermanentError("schema_mismatch", detail)
