"""The edge's answers to bad input: 400 malformed, 422 schema mismatch (with the path)."""

from __future__ import annotations

from typing import TypeVar

import msgspec
from fastapi.responses import Response

T = TypeVar("T")


class Rejected(Exception):
    """Bad input: answered with ``status`` and a JSON reason; nothing is produced."""

    def __init__(self, status: int, reason: str, detail: str = "") -> None:
        super().__init__(f"{status} {reason}: {detail}")
        self.status = status
        self.reason = reason
        self.detail = detail


def json_error(status: int, reason: str, detail: str = "") -> Response:
    body = msgspec.json.encode({"error": reason, "detail": detail})
    return Response(body, status_code=status, media_type="application/json")


def decode_json(body: bytes, schema: type[T]) -> T:
    """Decode into ``schema``: malformed JSON -> 400, schema mismatch -> 422 with the path."""
    try:
        return msgspec.json.decode(body, type=schema)
    except msgspec.ValidationError as exc:
        raise Rejected(422, "schema_mismatch", str(exc)) from exc
    except msgspec.DecodeError as exc:
        raise Rejected(400, "malformed", str(exc)) from exc
