"""Asterisk ``Master.csv`` (cdr_csv) rows into call records.

The columns, in cdr_csv's fixed order (no header row; strings quoted with ``"`` doubled inside,
numbers bare, an unset time an empty field), as documented in Asterisk's ``doc/README.cdr``
("Fields of the CDR in Asterisk", git.asterisk.org) and written by ``cdr/cdr_csv.c``
``build_csv_record`` (github.com/asterisk/asterisk):

  accountcode, src, dst, dcontext, clid, channel, dstchannel, lastapp, lastdata,
  start, answer, end, duration, billsec, disposition, amaflags,
  [uniqueid]  with ``loguniqueid=yes`` in cdr.conf [csv],
  [userfield] with ``loguserfield=yes``,
  [peeraccount, linkedid, sequence] with ``newcdrcolumns=yes`` (Asterisk 12+; cdr.conf.sample).

So a row has 16 to 21 fields; which optional ones are present follows from the count (17 is
read as uniqueid, the sample cdr.conf turns both uniqueid and userfield on). ``disposition`` is
ANSWERED, NO ANSWER, BUSY, FAILED or CONGESTION (docs.asterisk.org "CDR Variables"); times are
``%Y-%m-%d %T`` in the PBX's local time unless ``usegmtime=yes``, hence ``--timezone``.

The call id is ``uniqueid``; a row without one (16 or 19 fields) is known by ``sha256:`` of its
fields, so re-reading the same file still gives the same ids.

Direction (a CDR has none): ``src`` is the caller. A caller with an outside number (it parses
as a phone number and is longer than an extension, ``numbers.EXTENSION_MAX_DIGITS``) makes the
call inbound, the customer being ``src``. An extension calling an outside number is outbound,
the customer being ``dst``. Neither side outside: the caller withheld her number (``src``
empty, anonymous, unknown, restricted …) when the call came in from a trunk — the destination
context contains from-pstn, from-trunk, from-did, ext-did, from-external, incoming or inbound,
or the calling ``channel`` is no extension's (``SIP/trunk-0000001a``, not ``SIP/201-…``) —
inbound from an anonymous customer; otherwise it is an internal call between extensions and
is skipped.

Outcome: ANSWERED is ``completed`` (the answer is the agent's: ``dstchannel``'s device), but
``voicemail`` when the last application was VoiceMail (nobody answered; no call.answered);
NO ANSWER is ``abandoned`` when the caller was waiting in Queue, ``voicemail`` after VoiceMail,
else ``no_answer``; BUSY ``busy``; FAILED and CONGESTION ``failed``. The disposition is kept
verbatim as the cause. ``duration`` and ``billsec`` are the whole call and the talk time; the
wait is their difference.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, tzinfo

from hotline.events import CallDirection, CallOutcome
from voice.cdr.numbers import WITHHELD, is_extension, is_outside
from voice.cdr.record import BadRow, CallRecord, Skipped, seconds, timestamp

BASE = (
    *("accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel"),
    *("lastapp", "lastdata", "start", "answer", "end", "duration", "billsec"),
    *("disposition", "amaflags"),
)
NEW_COLUMNS = ("peeraccount", "linkedid", "sequence")
LAYOUTS: dict[int, tuple[str, ...]] = {
    16: (),
    17: ("uniqueid",),
    18: ("uniqueid", "userfield"),
    19: NEW_COLUMNS,
    20: ("uniqueid", *NEW_COLUMNS),
    21: ("uniqueid", "userfield", *NEW_COLUMNS),
}
DISPOSITIONS = frozenset({"ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION"})
TRUNK_CONTEXTS = (
    "from-pstn",
    "from-trunk",
    "from-did",
    "ext-did",
    "from-external",
    "incoming",
    "inbound",
)
Row = dict[str, str]


def parse(fields: list[str], zone: tzinfo, region: str | None) -> CallRecord | Skipped:
    """One Master.csv row; BadRow when it is none, Skipped when it is an internal call."""
    row = columns(fields)
    disposition = row["disposition"].strip().upper()
    if disposition not in DISPOSITIONS:
        raise BadRow("unknown_disposition", f"disposition {row['disposition']!r}")
    direction = _direction(row, region)
    if direction is None:
        return Skipped("internal_call", f"{row['src']!r} -> {row['dst']!r}")
    return _record(row, disposition, direction, zone)


def columns(fields: list[str]) -> Row:
    extra = LAYOUTS.get(len(fields))
    if extra is None:
        raise BadRow("column_count", f"{len(fields)} fields, cdr_csv writes 16 to 21")
    return dict(zip((*BASE, *extra), fields, strict=True))


def _direction(row: Row, region: str | None) -> CallDirection | None:
    if is_outside(row["src"], region):
        return "inbound"
    if is_outside(row["dst"], region):
        return "outbound"
    withheld = row["src"].strip().lower() in WITHHELD
    return "inbound" if withheld and _from_trunk(row) else None


def _from_trunk(row: Row) -> bool:
    """The call came in from outside: a trunk context, or a channel that is no extension's."""
    context = row["dcontext"].lower()
    if any(c in context for c in TRUNK_CONTEXTS):
        return True
    peer = device(row["channel"]).partition("/")[2]
    return bool(peer) and not is_extension(peer)


def _record(row: Row, disposition: str, direction: CallDirection, zone: tzinfo) -> CallRecord:
    duration, billsec = seconds(row["duration"], "duration"), seconds(row["billsec"], "billsec")
    if billsec > duration:
        raise BadRow("bad_duration", f"billsec {billsec} is longer than duration {duration}")
    outcome = _outcome(disposition, row["lastapp"].strip().lower())
    answered = _answer(row, zone) if outcome == "completed" else None
    inbound = direction == "inbound"
    return CallRecord(
        call_id=row.get("uniqueid", "").strip() or _row_id(row),
        direction=direction,
        customer=row["src" if inbound else "dst"].strip(),
        line=row["dst" if inbound else "src"].strip(),
        started=timestamp(row["start"], zone, "start"),
        ended=timestamp(row["end"], zone, "end"),
        outcome=outcome,
        duration_s=duration,
        wait_s=duration - billsec,
        answered=answered,
        talk_s=billsec if answered else None,
        answered_by=device(row["dstchannel"]) or row["dst"].strip() if answered else "",
        queue=_queue(row),
        cause=disposition,
        customer_name=caller_name(row["clid"]) if inbound else None,
    )


def _outcome(disposition: str, lastapp: str) -> CallOutcome:
    if lastapp == "voicemail" and disposition in ("ANSWERED", "NO ANSWER"):
        return "voicemail"
    if disposition == "ANSWERED":
        return "completed"
    if disposition == "NO ANSWER":
        return "abandoned" if lastapp == "queue" else "no_answer"
    return "busy" if disposition == "BUSY" else "failed"


def _answer(row: Row, zone: tzinfo) -> datetime:
    """The answer time; an ANSWERED row without one (old builds) answered at its start."""
    return timestamp(row["answer"] or row["start"], zone, "answer")


def _queue(row: Row) -> str | None:
    if row["lastapp"].strip().lower() != "queue":
        return None
    return row["lastdata"].split(",")[0].strip() or None


def device(channel: str) -> str:
    """``SIP/201-0000002a`` -> ``SIP/201``: the channel's device, without its sequence."""
    name = channel.strip()
    head, dash, tail = name.rpartition("-")
    return head if dash and head and tail.isalnum() else name


def caller_name(clid: str) -> str | None:
    """``"Maria Lopez" <+4930123456>`` -> ``Maria Lopez``; None when the clid has no name."""
    name = clid.split("<", 1)[0].strip().strip('"').strip() if "<" in clid else ""
    return name or None


def _row_id(row: Row) -> str:
    return "sha256:" + hashlib.sha256("\x1f".join(row.values()).encode()).hexdigest()[:32]
