"""A webhook's verified body into what the intake takes, and the intake's result as an HTTP
answer: 503 when Kafka did not ack (the provider retries), the reply's own body otherwise
(200 for published and dead-lettered input alike)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi.responses import Response

from hotline.http.hotpath import Answer, error_answer
from hotline.http.webhook import Rejected
from hotline.intake.intake import UNAVAILABLE, poison_of
from hotline.intake.outcome import Poison, Result
from hotline.kafka.errors import PermanentError

T = TypeVar("T")
STATUS = {"malformed": 400, "schema_mismatch": 422}  # bad input answered, not dead-lettered


def normalized(
    run: Callable[[], T], body: bytes, topic: str, source: str, version: str
) -> T | Poison:
    """What ``run`` (the normalizer on a verified ``body``) returns; malformed / schema
    mismatch -> their 400 / 422 ``Rejected`` (nothing reaches the intake); any other failure
    -> ``Poison`` for ``topic``'s dead letters (``source``: the route the body came by)."""
    try:
        return run()
    except PermanentError as exc:
        if exc.reason in STATUS:
            raise rejected(exc) from exc
        return poison_of(exc, body, topic, source, version)
    except Exception as exc:  # a verified body we cannot normalize is poison, not a 500
        return poison_of(exc, body, topic, source, version)


def rejected(exc: PermanentError) -> Rejected:
    """Bad input as its answer: malformed 400, schema mismatch 422 (else 400)."""
    return Rejected(STATUS.get(exc.reason, 400), exc.reason, exc.detail)


def answer_for(result: Result) -> Answer:
    if result.status == "unavailable":
        return error_answer(503, UNAVAILABLE, result.detail)
    return Answer(result.reply.status, result.reply.body)


def response_for(result: Result) -> Response:
    answer = answer_for(result)
    media_type = "application/json" if answer.status == 503 else result.reply.media_type
    return Response(answer.body, status_code=answer.status, media_type=media_type)
