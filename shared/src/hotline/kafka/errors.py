"""Error classification: retriable (back off, retry, then stop uncommitted) or permanent (DLQ)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import msgspec
from aiokafka.errors import KafkaError

Verdict = Literal["retriable", "permanent"]
Classifier = Callable[[BaseException], Verdict | None]


class KafkaUnavailable(Exception):
    """Kafka did not ack in time: the edge answers 503 / SMTP 451 so the sender retries."""


class RetriableError(Exception):
    """A transient failure (database down, peer timeout): retry, never dead-letter."""


class PermanentError(Exception):
    """The input itself is bad: retrying cannot help; dead-letter it with ``reason``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


_PERMANENT = (msgspec.DecodeError, ValueError, KeyError, TypeError, UnicodeError, LookupError)
_RETRIABLE = (ConnectionError, TimeoutError, OSError, KafkaUnavailable)


def classify(exc: BaseException, extra: Classifier | None = None) -> Verdict:
    verdict = extra(exc) if extra else None
    if verdict:
        return verdict
    if isinstance(exc, (RetriableError, *_RETRIABLE)):
        return "retriable"
    if isinstance(exc, KafkaError):
        return "retriable" if exc.retriable else "permanent"
    if isinstance(exc, (PermanentError, *_PERMANENT)):
        return "permanent"
    return "permanent"


def reason_of(exc: BaseException) -> str:
    if isinstance(exc, PermanentError):
        return exc.reason
    if isinstance(exc, msgspec.ValidationError):
        return "schema_mismatch"
    if isinstance(exc, msgspec.DecodeError):
        return "malformed"
    return type(exc).__name__
