"""The classification table: only classified poison is permanent; a bug is "unknown"."""

from __future__ import annotations

import logging
import time

import msgspec
import pytest
from aiokafka import TopicPartition
from aiokafka.errors import KafkaConnectionError, UnsupportedVersionError

from hotline import events as ev
from hotline.kafka import KafkaUnavailable, PermanentError, RetriableError, classify
from hotline.kafka.errors import Verdict, reason_of
from hotline.kafka.stall import Stalls


def decode_error(data: bytes) -> Exception:
    try:
        ev.decode(data)
    except Exception as exc:
        return exc
    raise AssertionError(f"{data!r} decoded")


def unicode_error() -> UnicodeDecodeError:
    try:
        b"\xff\xfe\xfa".decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc
    raise AssertionError("decoded")


@pytest.mark.parametrize(
    ("exc", "verdict", "reason"),
    [
        (PermanentError("unroutable", "no tenant"), "permanent", "unroutable"),
        (decode_error(b'{"type": "message.received.v1", "tenant": "ac'), "permanent", "malformed"),
        (decode_error(b'{"type": "message.received.v1"}'), "permanent", "schema_mismatch"),
        (unicode_error(), "permanent", "UnicodeDecodeError"),
        (RetriableError("db down"), "retriable", "RetriableError"),
        (KafkaUnavailable("no ack"), "retriable", "KafkaUnavailable"),
        (ConnectionError("reset"), "retriable", "ConnectionError"),
        (TimeoutError(), "retriable", "TimeoutError"),
        (OSError("disk"), "retriable", "OSError"),
        (KafkaConnectionError(), "retriable", "KafkaConnectionError"),
        # bugs in our own code: never poison
        (KeyError("tenant"), "unknown", "KeyError"),
        (TypeError("unsupported operand"), "unknown", "TypeError"),
        (ValueError("bad value"), "unknown", "ValueError"),
        (AttributeError("'NoneType' has no attribute 'x'"), "unknown", "AttributeError"),
        (IndexError("list index out of range"), "unknown", "IndexError"),
        (ZeroDivisionError(), "unknown", "ZeroDivisionError"),
        (RuntimeError("boom"), "unknown", "RuntimeError"),
        (UnsupportedVersionError(), "unknown", "UnsupportedVersionError"),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else str(v),
)
def test_verdict_and_reason(exc: BaseException, verdict: Verdict, reason: str) -> None:
    assert classify(exc) == verdict
    assert reason_of(exc) == reason


def test_msgspec_validation_error_is_a_decode_error() -> None:
    assert classify(msgspec.ValidationError("Expected `str`")) == "permanent"


def test_a_service_classifier_is_asked_first_and_none_falls_through() -> None:
    def table(exc: BaseException) -> Verdict | None:
        if isinstance(exc, LookupError):
            return "permanent"
        if isinstance(exc, PermanentError):
            return "retriable"
        return None

    assert classify(KeyError("x"), table) == "permanent"
    assert classify(PermanentError("x"), table) == "retriable"
    assert classify(TypeError("x"), table) == "unknown"
    assert classify(ConnectionError(), table) == "retriable"


def test_stall_backoff_doubles_up_to_the_cap_and_never_overflows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(logging.getLogger("hotline.kafka.stall"), "disabled", True)  # quiet
    stalls = Stalls(base=0.5, cap=60.0, metrics=None)
    tp = TopicPartition("t", 0)
    waits = []
    for _ in range(2000):  # days of a stall at the cap
        stall = stalls.failed(tp, 7, KeyError("x"))
        waits.append(stall.retry_at - time.monotonic())
    assert [round(w) for w in waits[:4]] == [0, 1, 2, 4]
    assert 59 < waits[-1] <= 60.0 and stall.attempts == 2000
    stalls.cleared(tp)
    assert stalls.longest() == 0.0
