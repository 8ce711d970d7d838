"""One call as a call-detail record says it, whatever the file's format: what ``asterisk`` and
``generic`` parse a row into and ``calls`` turns into call events. A row that cannot be one
raises ``BadRow`` with a reason (a short snake_case word, the dead letter's reason) and a
detail for the person reading the summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from hotline.events import CallDirection, CallOutcome


class BadRow(ValueError):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail


@dataclass(frozen=True, slots=True)
class CallRecord:
    call_id: str
    direction: CallDirection
    customer: str  # the customer's number as written (E.164 or national; "" when withheld)
    line: str  # our side: the number, extension or queue the call was on
    started: datetime
    ended: datetime
    outcome: CallOutcome
    duration_s: int
    wait_s: int
    answered: datetime | None = None  # by a person (not by voicemail)
    talk_s: int | None = None
    answered_by: str = ""
    queue: str | None = None
    cause: str | None = None  # the source's own disposition or cause, verbatim
    customer_name: str | None = None


@dataclass(frozen=True, slots=True)
class Skipped:
    """A row that is well formed but no customer call (an internal call between extensions)."""

    reason: str
    detail: str


Parsed = CallRecord | Skipped | BadRow


@dataclass(frozen=True, slots=True)
class Read:
    """A row of the file and what it is."""

    line: int  # the line it starts on
    raw: bytes  # its bytes, as in the file
    done: int  # bytes of the file read so far
    parsed: Parsed


def timestamp(text: str, zone: tzinfo, what: str) -> datetime:
    """ISO 8601 (``2026-12-07 09:00:00``, ``2026-12-07T09:00:00+01:00``); a time without an
    offset is in ``zone`` (Asterisk writes the PBX's local time unless ``usegmtime=yes``)."""
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadRow("bad_timestamp", f"{what} {text!r} is not a date and time") from None
    return at.replace(tzinfo=zone) if at.tzinfo is None else at


def seconds(text: str, what: str) -> int:
    """A whole, non-negative number of seconds."""
    value = text.strip()
    if not value.isdigit() or not value.isascii():
        raise BadRow("bad_duration", f"{what} {text!r} is not a whole number of seconds")
    return int(value)
