"""Classification flags (auto-reply, bounce, mailing list, loop, forwarded) and sender trust.

Flags never discard anything: the unifier decides what to do with an auto-reply or a bounce.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from email_ingest.addresses import Address
from email_ingest.body import transfer_decode
from email_ingest.parse import Part

_AUTO_SUBMITTED_NO = (b"", b"no")
_PRECEDENCE_AUTO = (b"bulk", b"auto_reply", b"junk", b"list")
_FWD_SUBJECT = re.compile(r"^\s*(?:\[[^\]]*\]\s*)?(?:fwd?|wg|tr|rv|vs)\s*:", re.I)
_FWD_BODY = re.compile(
    r"^(?:-{5,}\s*Forwarded message\s*-{5,}|Begin forwarded message:"
    r"|-{3,}\s*(?:Original Message|Weitergeleitete Nachricht)\s*-{3,})",
    re.I | re.M,
)
_STATUS = re.compile(rb"^Status:\s*([245]\.\d{1,3}\.\d{1,3})", re.I | re.M)
_DMARC = re.compile(r"\bdmarc=pass\b[^;]*?\bheader\.from=([^\s;]+)", re.I)
_DSN_PARTS = ("message/delivery-status", "message/global-delivery-status")
_DKIM = re.compile(r"\bdkim=pass\b[^;]*?\bheader\.[di]=([^\s;]+)", re.I)


@dataclass(frozen=True)
class Trust:
    """Configuration of what we trust: our authserv-ids and our own Message-ID domain."""

    authserv_ids: frozenset[str] = frozenset()
    own_message_id_domain: str = "hotline.invalid"
    loop_marker: str = "hotline"


def is_auto_reply(root: Part) -> bool:
    auto = (root.get("auto-submitted") or b"").strip().lower()
    if auto not in _AUTO_SUBMITTED_NO:
        return True
    if root.get("x-autoreply") is not None or root.get("x-autorespond") is not None:
        return True
    precedence = (root.get("precedence") or b"").strip().lower()
    if precedence in _PRECEDENCE_AUTO and root.get("list-id") is None:
        return True
    suppress = (root.get("x-auto-response-suppress") or b"").lower()
    return b"all" in suppress or b"oof" in suppress


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


def is_dsn(root: Part) -> bool:
    """A delivery status notification: ``multipart/report`` of report-type delivery-status, or a
    multipart whose own parts include a delivery-status part or such a report (relays and
    clients that rewrap DSNs). A DSN attached to a forwarded mail (message/rfc822) is not one."""
    if root.ctype == "multipart/report":
        return "delivery-status" in root.params.get("report-type", "delivery-status").lower()
    return root.ctype.startswith("multipart/") and any(
        child.ctype in _DSN_PARTS or (child.ctype == "multipart/report" and is_dsn(child))
        for child in root.children
    )


def bounce(root: Part) -> tuple[bool, str | None, str | None]:
    """(is a bounce, status codes "5.1.1[,..]", Message-ID of the bounced original)."""
    if not is_dsn(root):
        return False, None, None
    statuses: list[str] = []
    original: str | None = None
    for part in root.walk():
        if part.ctype in _DSN_PARTS:
            statuses.extend(s.decode() for s in _STATUS.findall(part.body))
        elif part.ctype in ("message/rfc822", "text/rfc822-headers") and original is None:
            original = _original_id(part)
    unique = list(dict.fromkeys(statuses))
    return True, ",".join(unique) or None, original


def _original_id(part: Part) -> str | None:
    source = part.children[0] if part.children else part
    value = source.get("message-id") if part.children else _header_in_body(part, b"message-id")
    if not value:
        return None
    m = re.search(rb"<[^<>\s]+>", value)
    return m.group(0).decode("utf-8", "replace") if m else None


def _header_in_body(part: Part, name: bytes) -> bytes | None:
    m = re.search(rb"^" + name + rb":\s*(.+)$", transfer_decode(part), re.I | re.M)
    return m.group(1) if m else None


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
