"""Transcripts a source only names by URL (Vonage): fetched with the routed account's
credentials before the ``call.transcript`` is published.

The document is fetched like a recording (``voice.recordings.RecordingCopier.download``:
``hotline.blobs.fetch``'s retries, budget, size cap and allowed hosts) and read by the
source's own reader. ``CallTranscript`` has no failed state, so a transcript that cannot be
fetched or read (or whose text is empty, or when the service copies no files) publishes
nothing: it is counted in ``hotline_call_transcripts{source, outcome}`` and logged with the
recording id and the reason; the provider still gets its 200 (it would not send it again).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter

from hotline import events as ev
from hotline.accounts import Account
from hotline.kafka.errors import PermanentError
from voice.calls import CallFields
from voice.recordings import NotFetched, RecordingCopier

log = logging.getLogger(__name__)
NOT_COPYING = "not_copying"  # the service fetches no provider files (recordings_copy off)
# the document's bytes -> its text and language (None: not given); PermanentError if unreadable
Reader = Callable[[bytes], tuple[str, str | None]]


@dataclass(frozen=True)
class Pending:
    """A transcript to fetch: where, how to read it, and its event's fields."""

    url: str
    read: Reader
    fields: CallFields  # the event id's step is "call.transcript:<recording id>"
    recording_id: str
    engine: str  # the source: "vonage"
    language: str | None = None  # as the callback gave it (else the document's)


def transcript_counter(registry: CollectorRegistry) -> Counter:
    return Counter(
        "hotline_call_transcripts",
        "Transcripts fetched from a source's URL, by source and outcome (published/failed)",
        ["source", "outcome"],
        registry=registry,
    )


class TranscriptFetcher:
    """``copier``: the service's file fetching (None when it copies no files)."""

    def __init__(self, copier: RecordingCopier | None, counter: Counter) -> None:
        self.copier, self.counter = copier, counter

    async def fetch(self, pending: Pending, account: Account) -> list[ev.CallEvent]:
        """The transcript's event, or nothing (counted and logged) when it cannot be had."""
        try:
            text, language = pending.read(await self._download(pending, account))
        except NotFetched as exc:
            return self._failed(pending, str(exc))
        except PermanentError as exc:
            return self._failed(pending, exc.reason)
        if not text.strip():
            return self._failed(pending, "empty")
        self.counter.labels(pending.engine, "published").inc()
        event = ev.CallTranscript(
            **pending.fields,
            text=text,
            language=pending.language or language,
            engine=pending.engine,
            recording_id=pending.recording_id,
        )
        return [event]

    async def _download(self, pending: Pending, account: Account) -> bytes:
        if self.copier is None:
            raise NotFetched(NOT_COPYING)
        return await self.copier.download(
            pending.url, account, pending.fields["channel"].account_id
        )

    def _failed(self, pending: Pending, reason: str) -> list[ev.CallEvent]:
        self.counter.labels(pending.engine, "failed").inc()
        extra = {"recording_id": pending.recording_id, "engine": pending.engine, "reason": reason}
        log.warning("call transcript not published", extra=extra)
        return []
