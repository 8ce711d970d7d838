"""Typed JSON decoding with the edge's distinction: not JSON -> malformed (400), JSON of the
wrong shape -> schema_mismatch (422, msgspec's field path)."""

from __future__ import annotations

from typing import TypeVar

import msgspec

from hotline.kafka.errors import PermanentError

T = TypeVar("T")


def decode(decoder: msgspec.json.Decoder[T], body: bytes, where: str = "$") -> T:
    """``where`` prefixes the field path when ``body`` is a part of a larger document."""
    try:
        return decoder.decode(body)
    except msgspec.ValidationError as exc:
        _raise_if_malformed(body)  # msgspec validates while parsing: check the syntax too
        detail = str(exc).replace("`$", f"`{where}", 1)
        raise PermanentError("schema_mismatch", detail) from exc
    except msgspec.DecodeError as exc:
        raise PermanentError("malformed", str(exc)) from exc


def _raise_if_malformed(body: bytes) -> None:
    try:
        msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        raise PermanentError("malformed", str(exc)) from exc
