"""What every voice edge does once a callback is verified: normalize it into an ``Outcome``
and hand it to the service's one ``hotline.intake.Intake`` (events to
``hotline.inbound.voice``).

* malformed / schema mismatch -> 400 / 422 (``Rejected``; nothing reaches the intake);
* verified but not normalizable (an unknown status, a crash of ours) -> ``Poison``: the
  original bytes go to ``hotline.inbound.voice.dlq`` with the reason, then 200;
* events -> one ``Publish``; the answer comes after Kafka's ack (503 when it does not ack);
* no events (a status a source documents as nothing to record) -> 200, nothing produced;
* a transcript the callback only names by URL (an edge's ``pending``) -> fetched first
  (``voice.transcripts``): its ``call.transcript``, or nothing when it cannot be had.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hotline import events as ev
from hotline.accounts import Account, AccountRegistry
from hotline.http import ServiceState
from hotline.http.hotpath import Answer, Handler, Inbound
from hotline.intake import Intake, Outcome, Poison, Publish, Reply
from hotline.intake.http import answer_for, normalized
from hotline.topics import INBOUND_VOICE
from voice.calls import CallContext
from voice.recordings import RecordingCopier
from voice.routing import context
from voice.settings import VoiceSettings
from voice.transcripts import Pending, TranscriptFetcher

PARSER_VERSION = "voice-1"
INTAKE = "intake"  # the Intake's key in ServiceState.extras
COPIER = "recordings"  # the RecordingCopier's, when recordings are copied
TRANSCRIPTS = "transcripts"  # the TranscriptFetcher's
Normalizer = Callable[[bytes, CallContext], Sequence[ev.CallEvent]]  # a body's events
# routes a request to its account and verifies it (404 / 401 as ``Rejected``) at a clock
# reading: the account and the id the request named
Admit = Callable[[AccountRegistry, Inbound, float], tuple[Account, str]]
# a body's transcript to fetch (None: it names none); called on bodies that produced nothing
Transcription = Callable[[bytes, CallContext], Pending | None]


def outcome_of(run: Callable[[], Sequence[ev.CallEvent]], body: bytes, source: str) -> Outcome:
    """``run``: the normalizer on this body; ``source``: the route (kept in a dead letter)."""
    found = normalized(lambda: list(run()), body, INBOUND_VOICE, source, PARSER_VERSION)
    if isinstance(found, Poison):
        return found
    return Publish(found) if found else Reply()


async def answer(state: ServiceState, outcome: Outcome, account: Account) -> Answer:
    """The provider's answer, given once Kafka acked (or did not: 503); recordings are copied
    first with ``account``'s credentials when the service copies them (``COPIER``)."""
    intake, copier = state.extras[INTAKE], state.extras.get(COPIER)
    assert isinstance(intake, Intake)
    if isinstance(copier, RecordingCopier) and isinstance(outcome, Publish):
        outcome = Publish(await copier.copy(outcome.events, account))
    return answer_for(await intake.take(outcome))


async def transcribed(state: ServiceState, found: Pending | None, account: Account) -> Outcome:
    """The ``call.transcript`` of ``found``, fetched with ``account``'s credentials."""
    fetcher = state.extras.get(TRANSCRIPTS)
    if found is None or not isinstance(fetcher, TranscriptFetcher):
        return Reply()
    events = await fetcher.fetch(found, account)
    return Publish(events) if events else Reply()


@dataclass(frozen=True)
class BodyEdge:
    """An edge whose whole body is one source's callback (Vonage, CTI): admitted, normalized
    in the routed account's context, handed to the intake."""

    path: str
    admit: Admit
    normalize: Normalizer
    transcription: Transcription | None = None

    def post_handler(
        self,
        registry: AccountRegistry,
        settings: VoiceSettings,
        run: Normalizer | None = None,
        clock: Callable[[], float] = time.time,
    ) -> Handler:
        """``run``: another normalizer (tests); ``clock``: the signatures' (tests)."""
        tenancy, normalize = settings.tenancy(), run or self.normalize

        async def receive(state: ServiceState, req: Inbound) -> Answer:
            account, account_id = self.admit(registry, req, clock())
            ctx = context(account, account_id, tenancy, settings.default_region)
            outcome = outcome_of(lambda: normalize(req.body, ctx), req.body, self.path)
            if self.transcription and isinstance(outcome, Reply):
                found = self.transcription(req.body, ctx)
                outcome = await transcribed(state, found, account)
            return await answer(state, outcome, account)

        return receive
