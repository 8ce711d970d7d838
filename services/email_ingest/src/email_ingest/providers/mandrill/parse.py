"""Mandrill inbound posts (pure): ``mandrill_events``, a JSON array; each ``inbound`` event is
one mail (``msg.raw_msg`` the whole message, ``msg.email`` the address it came in at,
``msg.spam_report.score`` SpamAssassin's score). Other event types are not mail: skipped."""

from __future__ import annotations

import msgspec

from email_ingest.providers.delivery import Delivery, score_is_spam
from email_ingest.providers.form import Form
from hotline.kafka.errors import PermanentError


class S(msgspec.Struct, forbid_unknown_fields=False):
    pass


class SpamReport(S):
    score: float | None = None


class Msg(S):
    raw_msg: str = ""
    email: str = ""
    spam_report: SpamReport | None = None


class Event(S):
    event: str = ""
    ts: int = 0
    msg: Msg | None = None


_events = msgspec.json.Decoder(list[Event])


def parse(form: Form) -> list[Event]:
    raw = form.get("mandrill_events")
    if raw is None:
        raise PermanentError("malformed", "no mandrill_events field")
    try:
        return _events.decode(raw)
    except msgspec.DecodeError as exc:
        raise PermanentError("malformed", f"mandrill_events: {exc}") from exc


def deliveries(evts: list[Event]) -> list[Delivery]:
    out = []
    for e in evts:
        if e.event != "inbound" or e.msg is None:
            continue
        if not e.msg.raw_msg:
            raise PermanentError("malformed", "an inbound event without msg.raw_msg")
        report = e.msg.spam_report
        spam = score_is_spam(report.score if report else None)
        rcpts = (e.msg.email,) if e.msg.email else ()
        out.append(Delivery(e.msg.raw_msg.encode("utf-8", "surrogateescape"), rcpts, spam))
    return out
