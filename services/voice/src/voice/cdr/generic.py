"""The generic call CSV (``--format csv``): a header row, then one call per row. Columns are
found by name (any order, case and surrounding spaces ignored, unknown columns ignored):

  call_id      required  the call's id in the source system (the call's deterministic key)
  direction    required  inbound | outbound
  from, to     required  the caller's and the callee's number or extension
  started_at   required  ISO 8601; without an offset in ``--timezone``
  ended_at     required  ISO 8601
  outcome      required  completed | busy | no_answer | canceled | failed | abandoned |
                         voicemail (``no-answer`` is read as ``no_answer``)
  answered_at  optional  when a person answered (empty: nobody did)
  agent        optional  who answered
  queue        optional  the queue or IVR branch
  cause        optional  the source's own status or hang-up cause, kept verbatim
  caller_name  optional  the customer's name as the source knows it

The customer is ``from`` on an inbound call and ``to`` on an outbound one. Durations come from
the times: the whole call ``ended_at - started_at``, the talk ``ended_at - answered_at``, the
wait until the answer (or the hang-up). services/voice/README.md has an example.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import get_args

from hotline.events import CallDirection, CallOutcome
from voice.cdr.record import BadRow, CallRecord, timestamp

REQUIRED = ("call_id", "direction", "from", "to", "started_at", "ended_at", "outcome")
OPTIONAL = ("answered_at", "agent", "queue", "cause", "caller_name")
OUTCOMES: frozenset[str] = frozenset(get_args(CallOutcome))


class BadHeader(ValueError):
    """The file's first row is no usable header: nothing in the file can be read."""


@dataclass(frozen=True)
class Columns:
    """Where each known column is in the file's rows."""

    at: dict[str, int]
    width: int

    @classmethod
    def of(cls, header: list[str]) -> Columns:
        names = [h.strip().lower().lstrip("\ufeff") for h in header]
        missing = [c for c in REQUIRED if c not in names]
        if missing:
            raise BadHeader(f"the header has no {', '.join(missing)} column (it has {names})")
        known = (*REQUIRED, *OPTIONAL)
        return cls({n: i for i, n in enumerate(names) if n in known}, len(names))

    def parse(self, fields: list[str], zone: tzinfo) -> CallRecord:
        if len(fields) != self.width:
            raise BadRow("column_count", f"{len(fields)} fields, the header has {self.width}")
        row = {name: fields[i].strip() for name, i in self.at.items()}
        return _record(row, zone)


def _record(row: dict[str, str], zone: tzinfo) -> CallRecord:
    if not row["call_id"]:
        raise BadRow("no_call_id", "call_id is empty")
    direction, outcome = _direction(row["direction"]), _outcome(row["outcome"])
    started = timestamp(row["started_at"], zone, "started_at")
    ended = timestamp(row["ended_at"], zone, "ended_at")
    answered = _answered(row.get("answered_at", ""), zone, started, ended)
    inbound = direction == "inbound"
    return CallRecord(
        call_id=row["call_id"],
        direction=direction,
        customer=row["from" if inbound else "to"],
        line=row["to" if inbound else "from"],
        started=started,
        ended=ended,
        outcome=outcome,
        duration_s=_seconds(started, ended),
        wait_s=_seconds(started, answered or ended),
        answered=answered,
        talk_s=_seconds(answered, ended) if answered else None,
        answered_by=row.get("agent", ""),
        queue=row.get("queue") or None,
        cause=row.get("cause") or None,
        customer_name=(row.get("caller_name") or None) if inbound else None,
    )


def _direction(text: str) -> CallDirection:
    value = text.lower()
    if value == "inbound":
        return "inbound"
    if value == "outbound":
        return "outbound"
    raise BadRow("bad_direction", f"direction {text!r} is not inbound or outbound")


def _outcome(text: str) -> CallOutcome:
    value = text.lower().replace("-", "_")
    for outcome in get_args(CallOutcome):
        if value == outcome:
            return outcome  # type: ignore[no-any-return]
    raise BadRow("bad_outcome", f"outcome {text!r} is not one of {sorted(OUTCOMES)}")


def _answered(text: str, zone: tzinfo, started: datetime, ended: datetime) -> datetime | None:
    answered = timestamp(text, zone, "answered_at") if text else None
    if ended < started:
        raise BadRow("bad_timestamp", "ended_at is before started_at")
    if answered is not None and not started <= answered <= ended:
        raise BadRow("bad_timestamp", "answered_at is not between started_at and ended_at")
    return answered


def _seconds(start: datetime, end: datetime) -> int:
    return round((end - start).total_seconds())
