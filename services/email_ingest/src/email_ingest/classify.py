"""Classification flags and sender trust.

One kind per mail: a feedback report, a bounce or a delay warning (``reports.py``), else
maybe an auto-reply (``auto_reply.py``); besides that the mailing-list, loop and forwarded
flags. Flags never discard anything: the unifier decides what to do with each kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from email_ingest import auto_reply, reports
from email_ingest.addresses import Address
from email_ingest.parse import Part
from hotline import events

_FWD_SUBJECT = re.compile(r"^\s*(?:\[[^\]]*\]\s*)?(?:fwd?|wg|tr|rv|vs)\s*:", re.I)
_FWD_BODY = re.compile(
    r"^(?:-{5,}\s*Forwarded message\s*-{5,}|Begin forwarded message:"
    r"|-{3,}\s*(?:Original Message|Weitergeleitete Nachricht)\s*-{3,})",
    re.I | re.M,
)
_DMARC = re.compile(r"\bdmarc=pass\b[^;]*?\bheader\.from=([^\s;]+)", re.I)
_DKIM = re.compile(r"\bdkim=pass\b[^;]*?\bheader\.[di]=([^\s;]+)", re.I)


@dataclass(frozen=True)
class Trust:
    """Configuration of what we trust: our authserv-ids and our own Message-ID domain."""

    authserv_ids: frozenset[str] = frozenset()
    own_message_id_domain: str = "hotline.invalid"
    loop_marker: str = "hotline"


def is_mailing_list(root: Part) -> bool:
    return root.get("list-id") is not None or (
        root.get("list-unsubscribe") is not None and root.get("precedence") is not None
    )


def is_loop(root: Part, message_id: str | None, trust: Trust) -> bool:
    own = "@" + trust.own_message_id_domain.lower() + ">"
    if message_id and message_id.lower().endswith(own):
        return True
    return any(trust.loop_marker.encode() in v.lower() for v in root.get_all("x-loop"))


def is_forwarded(subject: str, text: str, root: Part) -> bool:
    if _FWD_SUBJECT.match(subject) or _FWD_BODY.search(text[:20000]):
        return True
    return any(p.ctype == "message/rfc822" for p in root.children)


def apply(event: events.MessageReceived, root: Part, text: str, trust: Trust) -> None:
    """Set the event's flags; a machine report also gets its recipients, status codes, the
    returned mail's Message-ID (``replied_to_message_id``, appended to ``in_reply_to``, where
    the unifier threads by it) and the ``system`` sender role."""
    assert isinstance(event.content, events.EmailContent)
    subject = event.content.subject
    report = reports.read(root, subject)
    kind = report.kind if report else None
    event.flags = events.Flags(
        auto_reply=report is None and auto_reply.is_auto_reply(root, subject),
        bounce=kind == "bounce",
        delivery_delayed=kind == "delay",
        feedback_report=kind == "feedback",
        forwarded=is_forwarded(subject, text, root),
        mailing_list=is_mailing_list(root),
        loop=is_loop(root, event.thread.message_id, trust),
    )
    if report is not None:
        _report(event, report)


def _report(event: events.MessageReceived, report: reports.Report) -> None:
    event.bounce_status = ",".join(report.statuses) or None
    event.report_recipients = report.recipients
    event.feedback_type = report.feedback_type
    event.sender.role = "system"
    original = report.original_id
    if original:
        event.thread.replied_to_message_id = original
        if original not in event.thread.in_reply_to:
            event.thread.in_reply_to.append(original)


def verified_sender(root: Part, sender: Address | None, n_from: int, trust: Trust) -> str | None:
    """The source of trust ("dmarc"/"dkim") when a trusted authserv-id passed the From domain."""
    if sender is None or n_from != 1 or not trust.authserv_ids:
        return None
    for value in root.get_all("authentication-results"):
        text = value.decode("utf-8", "replace")
        authserv = text.split(";", 1)[0].strip().split()[0].lower() if text.strip() else ""
        if authserv not in trust.authserv_ids:
            continue
        for source, pattern in (("dmarc", _DMARC), ("dkim", _DKIM)):
            for domain in pattern.findall(text):
                if domain.lower().rpartition("@")[2].strip(".") == sender.domain:
                    return source
    return None
