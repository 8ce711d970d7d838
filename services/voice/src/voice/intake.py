"""What every voice edge does once a callback is verified: normalize it into an ``Outcome``
and hand it to the service's one ``hotline.intake.Intake`` (events to
``hotline.inbound.voice``).

* malformed / schema mismatch -> 400 / 422 (``Rejected``; nothing reaches the intake);
* verified but not normalizable (an unknown status, a crash of ours) -> ``Poison``: the
  original bytes go to ``hotline.inbound.voice.dlq`` with the reason, then 200;
* events -> one ``Publish``; the answer comes after Kafka's ack (503 when it does not ack).
"""

from __future__ import annotations

from collections.abc import Callable

from hotline import events as ev
from hotline.http import Rejected, ServiceState
from hotline.http.hotpath import Answer
from hotline.intake import Intake, Outcome, Publish
from hotline.intake.http import answer_for
from hotline.intake.intake import poison_of
from hotline.kafka.errors import PermanentError
from hotline.topics import INBOUND_VOICE

STATUS = {"malformed": 400, "schema_mismatch": 422}
PARSER_VERSION = "voice-1"
INTAKE = "intake"  # the Intake's key in ServiceState.extras


def outcome_of(run: Callable[[], list[ev.CallEvent]], body: bytes, source: str) -> Outcome:
    """``run``: the normalizer on this body; ``source``: the route (kept in a dead letter)."""
    try:
        return Publish(list(run()))
    except PermanentError as exc:
        if exc.reason in STATUS:
            raise rejected(exc) from exc
        return poison_of(exc, body, INBOUND_VOICE, source, PARSER_VERSION)
    except Exception as exc:  # a verified body we cannot normalize is poison, not a 500
        return poison_of(exc, body, INBOUND_VOICE, source, PARSER_VERSION)


def rejected(exc: PermanentError) -> Rejected:
    """Bad input as its answer: malformed 400, schema mismatch 422 (else 400)."""
    return Rejected(STATUS.get(exc.reason, 400), exc.reason, exc.detail)


async def answer(state: ServiceState, outcome: Outcome) -> Answer:
    """The provider's answer, given once Kafka acked (or did not: 503)."""
    intake = state.extras[INTAKE]
    assert isinstance(intake, Intake)
    return answer_for(await intake.take(outcome))
