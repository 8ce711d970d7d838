"""What every provider's outbound module builds (a pure request) and reads (an outcome)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import msgspec

from hotline import events as ev
from hotline.kafka.errors import PermanentError

Status = Literal["sent", "failed", "window_closed"]


@dataclass(frozen=True)
class Call:
    url: str
    json: dict[str, Any] | None = None
    form: dict[str, str] | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None  # multipart: field -> name, bytes, type
    headers: dict[str, str] = field(default_factory=dict)
    auth: tuple[str, str] | None = None


@dataclass(frozen=True)
class SendOutcome:
    status: Status
    provider_message_id: str | None = None
    code: str | None = None
    reason: str | None = None
    retryable: bool = False


def text_of(reply: ev.ReplyRequested) -> str:
    if isinstance(reply.content, ev.TextContent):
        return reply.content.text
    raise PermanentError("unsupported_content", type(reply.content).__name__)


def read(
    status: int,
    body: bytes,
    sent_id: Callable[[Any], str | None],
    error: Callable[[Any], tuple[str | None, str]],
    *,
    window_codes: frozenset[str] = frozenset(),
    retry_codes: frozenset[str] = frozenset(),
) -> SendOutcome:
    """2xx -> sent; 429 / 5xx / listed codes -> retryable; window codes -> window_closed."""
    try:
        doc = msgspec.json.decode(body) if body else {}
    except msgspec.DecodeError:
        doc = {}
    if 200 <= status < 300 and (pid := sent_id(doc)):
        return SendOutcome("sent", provider_message_id=pid)
    code, text = error(doc) if isinstance(doc, dict) else (None, "")
    code = code or str(status)
    if code in window_codes:
        reason = text or "provider: outside the window"
        return SendOutcome("window_closed", code=code, reason=reason)
    retry = status == 429 or status >= 500 or code in retry_codes
    return SendOutcome("failed", code=code, reason=text or f"HTTP {status}", retryable=retry)


def dig(doc: Any, *path: str | int) -> Any:
    """doc["a"][0]["b"] without KeyError/IndexError/TypeError: None when absent."""
    for key in path:
        try:
            doc = doc[key]
        except (KeyError, IndexError, TypeError):
            return None
    return doc
