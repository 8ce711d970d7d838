"""Fold call events into one call record: pure, order-free and idempotent.

Each field is folded by a rule that is commutative and idempotent, so events applied in any
order and any number of times give the same record:

* ``started_at`` is the earliest start (with its queue and IVR selection); ``answered_at`` the
  earliest answer (with who answered); the ending is the latest ``call.ended`` (ties: the more
  final outcome), with its durations and cause.
* ``status`` follows from the times: ``ended`` once an end is known, so a late ``call.started``
  never reopens a call; ``answered`` once answered; else ``ringing``.
* Recordings and transcripts are kept per recording id (and engine); a stored copy wins over a
  failed fetch. A voicemail likewise.
* ``needs_callback``: an inbound call that ended unanswered (busy, no answer, canceled,
  abandoned in the queue) or left a voicemail.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from hotline import events as ev
from hotline import unified as un
from unifier.domain.records import at

Info = TypeVar("Info", un.CallRecordingInfo, un.CallTranscriptInfo)
SHORT, ADDRESS = 200, 320  # what a record keeps of a provider's text (the store's columns)
MISSED = frozenset({"busy", "no_answer", "canceled", "abandoned", "voicemail"})
# Same end time, two outcomes: the one later in this list is the final word.
OUTCOME_RANK = ("failed", "canceled", "no_answer", "busy", "abandoned", "voicemail", "completed")
OUTCOME_LABEL = {
    "completed": "completed",
    "busy": "busy",
    "no_answer": "not answered",
    "canceled": "canceled by the caller",
    "failed": "failed",
    "abandoned": "abandoned in the queue",
    "voicemail": "voicemail",
}


def new_record(event: ev.CallEnvelope) -> un.CallRecord:
    return un.CallRecord(
        call_id=event.call_id,
        channel=event.channel,
        direction=event.direction,
        caller=event.caller.handle[:ADDRESS],
        line=event.line[:ADDRESS],
    )


def _cut(text: str | None, limit: int = SHORT) -> str | None:
    """Provider text as the record keeps it: at most ``limit`` characters (a cut value folds
    the same way every time, so a redelivery still changes nothing)."""
    return text[:limit] if text else text


def fold(record: un.CallRecord, event: ev.CallEvent) -> bool:
    """Apply one event; True when the record changed (a repeated event changes nothing)."""
    before = copy.deepcopy(record)
    if not record.caller:  # the first event named no caller (a Vonage recording callback)
        record.caller = event.caller.handle[:ADDRESS]
    if isinstance(event, ev.CallStarted):
        _started(record, event)
    elif isinstance(event, ev.CallAnswered):
        _answered(record, event)
    elif isinstance(event, ev.CallEnded):
        _ended(record, event)
    elif isinstance(event, ev.CallRecording):
        _recording(record, event)
    elif isinstance(event, ev.CallTranscript):
        _transcript(record, event)
    else:
        _voicemail(record, event)
    _derive(record)
    return record != before


def _started(record: un.CallRecord, event: ev.CallStarted) -> None:
    queue, ivr = _cut(event.queue), _cut(event.ivr_selection)
    mine = (at(event), queue or "", ivr or "")
    held = (record.started_at, record.queue or "", record.ivr_selection or "")
    if record.started_at is not None and mine >= held:
        return
    record.started_at, record.queue = at(event), queue
    record.ivr_selection, record.direction = ivr, event.direction
    record.line = event.line[:ADDRESS] or record.line


def _answered(record: un.CallRecord, event: ev.CallAnswered) -> None:
    by = _cut(event.answered_by, ADDRESS) or ""
    if record.answered_at is None or (at(event), by) < (
        record.answered_at,
        record.answered_by or "",
    ):
        record.answered_at, record.answered_by = at(event), by or None


def _ended(record: un.CallRecord, event: ev.CallEnded) -> None:
    cause = _cut(event.cause)
    mine = (at(event), OUTCOME_RANK.index(event.outcome), cause or "")
    if record.ended_at is not None and record.outcome is not None:
        held = (record.ended_at, OUTCOME_RANK.index(record.outcome), record.cause or "")
        if mine <= held:
            return
    record.ended_at, record.outcome, record.cause = at(event), event.outcome, cause
    record.duration_s, record.talk_s, record.wait_s = event.duration_s, event.talk_s, event.wait_s


def _recording(record: un.CallRecord, event: ev.CallRecording) -> None:
    ref = event.recording
    found = un.CallRecordingInfo(
        ref=ref.ref,
        recording_id=event.recording_id,
        mime_type=ref.mime_type,
        duration_s=event.duration_s,
        channels=event.channels,
        fetch_error=ref.fetch_error,
    )
    record.recordings = _keep(record.recordings, found, lambda r: r.recording_id or r.ref)


def _transcript(record: un.CallRecord, event: ev.CallTranscript) -> None:
    found = un.CallTranscriptInfo(
        text=event.text,
        language=event.language,
        engine=event.engine,
        recording_id=event.recording_id,
    )
    record.transcripts = _keep(record.transcripts, found, lambda t: f"{t.recording_id}/{t.engine}")


def _voicemail(record: un.CallRecord, event: ev.CallVoicemail) -> None:
    ref = event.recording
    found = un.CallVoicemailInfo(
        ref=ref.ref if ref else None,
        mime_type=ref.mime_type if ref else None,
        duration_s=event.duration_s,
        transcript=event.transcript,
        fetch_error=ref.fetch_error if ref else None,
    )
    if record.voicemail is None or _rank(found) > _rank(record.voicemail):
        record.voicemail = found


def _keep(items: list[Info], found: Info, key_of: Callable[[Info], str]) -> list[Info]:
    """``items`` with ``found`` under its key: it replaces an entry of that key only when it
    ranks higher (a stored copy over a failed fetch), so the result is order-free."""
    by_key = {key_of(i): i for i in items}
    key = key_of(found)
    if key not in by_key or _rank(found) > _rank(by_key[key]):
        by_key[key] = found
    return [by_key[k] for k in sorted(by_key)]


def _rank(
    item: un.CallRecordingInfo | un.CallTranscriptInfo | un.CallVoicemailInfo,
) -> tuple[bool, tuple[str, ...]]:
    """Stored (no fetch error) first, then a fixed order of the content itself."""
    content = tuple(str(getattr(item, f)) for f in item.__struct_fields__)
    return getattr(item, "fetch_error", None) is None, content


def _derive(record: un.CallRecord) -> None:
    if record.ended_at is not None:
        record.status = "ended"
    elif record.answered_at is not None:
        record.status = "answered"
    else:
        record.status = "ringing"
    record.needs_callback = missed(record)


def missed(record: un.CallRecord) -> bool:
    """An inbound call the customer is owed a call back for."""
    if record.direction != "inbound":
        return False
    return record.voicemail is not None or record.outcome in MISSED


def answered(record: un.CallRecord) -> bool:
    """Someone talked to the customer: a call that was answered and completed."""
    return record.answered_at is not None and record.outcome == "completed"


def summary(record: un.CallRecord) -> str:
    """One line for the thread list's preview and search: "Missed call (busy)", ..."""
    way = "Incoming" if record.direction == "inbound" else "Outgoing"
    if record.voicemail is not None:
        return "Voicemail"
    if record.outcome is None:
        return f"{way} call ({record.status})"
    if record.outcome == "completed":
        talk = f", {record.talk_s} s" if record.talk_s is not None else ""
        return f"{way} call (completed{talk})"
    kind = "Missed call" if missed(record) else f"{way} call"
    return f"{kind} ({OUTCOME_LABEL[record.outcome]})"


def callback_marks(
    record: un.CallRecord, fallback: datetime
) -> tuple[datetime | None, datetime | None]:
    """What the call says about the thread's callback: (due at, done at). A missed call is due
    from when it ended (``fallback``, the event's time, while no time is known); an answered
    call settles every callback due before its answer. The store keeps the latest of each, so
    the thread needs a callback while its latest missed call is later than its latest answer."""
    when = record.ended_at or record.started_at or record.answered_at or fallback
    due = when if missed(record) else None
    done = record.answered_at if answered(record) else None
    return due, done
