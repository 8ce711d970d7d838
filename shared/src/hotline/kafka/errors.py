"""Error classification for consumers and edges.

* ``retriable``: transient (database down, Kafka unavailable): back off, retry, then stop
  uncommitted.
* ``permanent``: classified poison only (``PermanentError``, a record that does not decode,
  what a service's own classifier calls permanent): dead-lettered.
* ``unknown``: anything else, i.e. most likely a bug in our code: the partition stalls (no
  commit, no dead letter, a loud log and a metric) and the same record is retried with backoff.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import msgspec
from aiokafka.errors import KafkaError

Verdict = Literal["retriable", "permanent", "unknown"]
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


# msgspec.ValidationError is a DecodeError. A bare ValueError/KeyError/TypeError is NOT here:
# raised by our own code it is a bug, and a bug must stop the partition, not eat records.
_PERMANENT = (PermanentError, msgspec.DecodeError, UnicodeDecodeError)
_RETRIABLE = (ConnectionError, TimeoutError, OSError, KafkaUnavailable)


def classify(exc: BaseException, extra: Classifier | None = None) -> Verdict:
    """``extra`` (a service's own table) is asked first; None from it means "no opinion"."""
    verdict = extra(exc) if extra else None
    if verdict:
        return verdict
    if isinstance(exc, (RetriableError, *_RETRIABLE)):
        return "retriable"
    if isinstance(exc, KafkaError) and exc.retriable:
        return "retriable"
    if isinstance(exc, _PERMANENT):
        return "permanent"
    return "unknown"


def reason_of(exc: BaseException) -> str:
    if isinstance(exc, PermanentError):
        return exc.reason
    if isinstance(exc, msgspec.ValidationError):
        return "schema_mismatch"
    if isinstance(exc, msgspec.DecodeError):
        return "malformed"
    return type(exc).__name__
