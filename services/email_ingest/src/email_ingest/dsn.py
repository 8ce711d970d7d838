"""RFC 3464 delivery status notifications, read from our own MIME tree (pure).

A DSN is ``multipart/report; report-type=delivery-status`` or a multipart whose own parts
include a delivery-status part or such a report (relays and clients that rewrap DSNs). Each
per-recipient block says what happened to one recipient: ``Action: failed`` is a bounce,
``Action: delayed`` only a warning (the MTA keeps trying). The returned message (its
``message/rfc822`` part or ``text/rfc822-headers``) names the mail that bounced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from email_ingest.body import transfer_decode
from email_ingest.parse import Part

DSN_PARTS = ("message/delivery-status", "message/global-delivery-status")
_STATUS = re.compile(r"^([245])\.\d{1,3}\.\d{1,3}")
_ACTION_BY_CLASS = {"5": "failed", "4": "delayed", "2": "delivered"}
_RETURNED = ("message/rfc822", "text/rfc822-headers")


@dataclass
class Recipients:
    """Per-recipient outcomes of one report: addresses and status codes, in order."""

    failed: list[str] = field(default_factory=list)
    delayed: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    delivered: int = 0  # blocks that report success (delivered, relayed, expanded)

    def add(self, action: str, address: str | None, status: str | None) -> None:
        if action.startswith(("delivered", "relayed", "expanded")):
            self.delivered += 1
            return
        if action.startswith(("fail", "error")):  # OpenSMTPD writes "Action: error"
            bucket = self.failed
        elif action.startswith("delayed"):
            bucket = self.delayed
        else:
            return  # no action we know: ignored
        if address and address not in bucket:
            bucket.append(address)
        if status and status not in self.statuses:
            self.statuses.append(status)


def is_dsn(root: Part) -> bool:
    """A DSN container; one attached to a forwarded mail (message/rfc822) is not one."""
    if root.ctype == "multipart/report":
        return "delivery-status" in root.params.get("report-type", "delivery-status").lower()
    return root.ctype.startswith("multipart/") and any(
        child.ctype in DSN_PARTS or (child.ctype == "multipart/report" and is_dsn(child))
        for child in root.children
    )


def read(root: Part) -> Recipients:
    """The failed and delayed recipients of every delivery-status part of the DSN."""
    found = Recipients()
    for part in _status_parts(root):
        for block in _blocks(transfer_decode(part)):
            _add_block(found, block)
    return found


def _status_parts(root: Part) -> list[Part]:
    out: list[Part] = []
    for child in root.children:
        if child.ctype in DSN_PARTS:
            out.append(child)
        elif child.ctype.startswith("multipart/"):
            out.extend(_status_parts(child))
    return out


def _blocks(body: bytes) -> list[dict[str, str]]:
    """The header blocks of a delivery-status body (lower-case names, unfolded values)."""
    text = body.decode("utf-8", "replace").replace("\r\n", "\n")
    blocks = []
    for chunk in re.split(r"\n[ \t]*\n", text):
        fields: dict[str, str] = {}
        last = ""
        for line in chunk.split("\n"):
            if line[:1] in (" ", "\t") and last:
                fields[last] += " " + line.strip()
            elif ":" in line:
                name, _, value = line.partition(":")
                last = name.strip().lower()
                fields.setdefault(last, value.strip())
        blocks.append(fields)
    return blocks


def _add_block(found: Recipients, fields: dict[str, str]) -> None:
    address = _address(fields.get("original-recipient")) or _address(fields.get("final-recipient"))
    if address is None and "final-recipient" not in fields:
        return  # the per-message block, or junk
    m = _STATUS.match(fields.get("status", ""))
    status = m.group(0) if m else None
    action = fields.get("action", "").lower() or _ACTION_BY_CLASS.get(m.group(1) if m else "", "")
    found.add(action, address, status)


def _address(value: str | None) -> str | None:
    """``rfc822; user@host`` (or ``utf-8; …``, or a bare ``<user@host>``) -> ``user@host``."""
    if not value:
        return None
    kind, semi, rest = value.partition(";")
    addr = (rest if semi else kind).strip().strip("<>").strip()
    return addr if "@" in addr and " " not in addr else None


def header_recipients(root: Part) -> list[str]:
    """Recipient fields some hosts put in the bounce's own headers instead of a report part."""
    for name in ("original-recipient", "final-recipient"):
        address = _address((root.get(name) or b"").decode("utf-8", "replace"))
        if address:
            return [address]
    return []


def original_id(root: Part) -> str | None:
    """The Message-ID of the returned mail: its message/rfc822 part or returned headers."""
    for part in root.walk():
        if part.ctype in _RETURNED and part is not root and (found := _returned_id(part)):
            return found
    return None


def _returned_id(part: Part) -> str | None:
    if part.children:
        value = part.children[0].get("message-id")
    else:
        m = re.search(rb"^message-id:[ \t]*(.+)$", transfer_decode(part), re.I | re.M)
        value = m.group(1) if m else None
    m = re.search(rb"<[^<>\s]+>", value or b"")
    return m.group(0).decode("utf-8", "replace") if m else None
