"""Rows of one call folded into one call record (Asterisk ``Master.csv``).

Asterisk 12+ may write several CDRs for one call, all with the caller's ``uniqueid``: with
``unanswered=yes`` in cdr.conf one per party that rang without answering (written when the
ringing stopped, so before the answered party's row, written at hang-up), and one per party
after a transfer. Publishing the first row would record an answered queue call as missed. So a
call's record is held until no more rows of it can come — rows are written when their CDR ends,
so once a row ends ``WINDOW`` after the held call's last end, the held call is complete — and
every row of the same ``uniqueid`` within that time is folded into it (the row itself counts as
skipped, ``same_call``):

- a party that answered wins: the outcome is ``completed``, answered when and by whom the first
  answering row says, its wait; the talk is the longest answered row's (a row written twice is
  one call, not twice the talk);
- nobody answered: the latest row's outcome (abandoned in the queue, voicemail …) and cause;
- the call starts at the earliest start and ends at the latest end; the duration covers both.

A row of the same call id after the window (or in another file) stays a ``duplicate_call_id``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import timedelta

from voice.cdr.record import CallRecord, Read, Skipped

WINDOW = timedelta(hours=4)  # the longest call whose rows are folded


def folded(reads: Iterable[Read]) -> Iterator[Read]:
    """``reads`` with each call's rows folded into its first row's read, in first-row order
    (a held call comes out when it is complete); other reads pass straight through."""
    held: dict[str, Read] = {}
    done = 0
    for read in reads:
        done = read.done
        record = read.parsed
        if not isinstance(record, CallRecord):
            yield read
            continue
        first = held.get(record.call_id)
        if first is None:
            held[record.call_id] = read
        else:
            held[record.call_id] = replace(first, parsed=merge(_call(first), record))
            yield replace(read, parsed=Skipped("same_call", f"folded into line {first.line}"))
        yield from _complete(held, record, done)
    yield from (replace(read, done=done) for read in held.values())


def _complete(held: dict[str, Read], latest: CallRecord, done: int) -> Iterator[Read]:
    """The oldest held calls that ended more than WINDOW before the latest row."""
    horizon = latest.ended - WINDOW
    while held:
        call_id, read = next(iter(held.items()))
        if _call(read).ended >= horizon:
            return
        del held[call_id]
        yield replace(read, done=done)


def _call(read: Read) -> CallRecord:
    assert isinstance(read.parsed, CallRecord)  # only call records are held
    return read.parsed


def merge(call: CallRecord, row: CallRecord) -> CallRecord:
    """One call from its record so far and a further row of it."""
    started, ended = min(call.started, row.started), max(call.ended, row.ended)
    span = round((ended - started).total_seconds())
    duration = max(call.duration_s, row.duration_s, span)
    if call.answered is None and row.answered is None:
        last = row if row.ended >= call.ended else call
        return replace(last, started=started, ended=ended, duration_s=duration, wait_s=duration)
    main = call if call.answered is not None else row
    talk = max(r.talk_s or 0 for r in (call, row) if r.answered is not None)
    return replace(
        main,
        started=started,
        ended=ended,
        duration_s=duration,
        talk_s=talk,
        queue=call.queue or row.queue,
        customer_name=call.customer_name or row.customer_name,
    )
