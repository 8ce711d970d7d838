"""An intake result as an HTTP answer: 503 when Kafka did not ack (the provider retries),
the reply's own body otherwise (200 for published and dead-lettered input alike)."""

from __future__ import annotations

from fastapi.responses import Response

from hotline.http.hotpath import Answer, error_answer
from hotline.intake.intake import UNAVAILABLE
from hotline.intake.outcome import Result


def answer_for(result: Result) -> Answer:
    if result.status == "unavailable":
        return error_answer(503, UNAVAILABLE, result.detail)
    return Answer(result.reply.status, result.reply.body)


def response_for(result: Result) -> Response:
    answer = answer_for(result)
    media_type = "application/json" if answer.status == 503 else result.reply.media_type
    return Response(answer.body, status_code=answer.status, media_type=media_type)
