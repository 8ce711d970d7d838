"""Raw mail bytes -> one ``message.received.v1`` event plus the blobs the edge must store first.

Pure: no I/O, no clock (``received_at`` is passed in). Hostile or unusable mail raises
``PermanentError`` with a specific reason, which the edge turns into a dead letter.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from datetime import datetime

from email_ingest import classify
from email_ingest.addresses import Address, AddressList, parse_addresses
from email_ingest.alignment import Verdict
from email_ingest.attachments import Bodies, Limits, collect
from email_ingest.body import html_to_text
from email_ingest.headers import decode_words, message_ids, parse_date, raw_text
from email_ingest.parse import CPU_BUDGET_S, Part, parse
from email_ingest.visible import visible_text
from hotline import events
from hotline.blobs import blob_ref
from hotline.kafka.errors import PermanentError

_TOKEN = re.compile(r"^reply\+([A-Za-z0-9_.=-]{1,128})$", re.I)
_RECIPIENT_HEADERS = ("to", "cc", "delivered-to", "x-original-to", "envelope-to")
_KEPT_HEADERS = ("From", "To", "Cc", "Reply-To", "Date", "Subject", "List-Id", "Auto-Submitted")


@dataclass(frozen=True)
class MailboxConfig:
    tenant: str = "default"
    account_id: str = "inbound"  # the mailbox / intake address this mail arrived at
    authserv_id: str = "hotline"  # names our own Authentication-Results summary
    reply_domains: frozenset[str] = frozenset()  # where reply+<token>@ lives; empty: any
    trust: classify.Trust = field(default_factory=classify.Trust)
    limits: Limits = field(default_factory=Limits)
    cpu_budget_s: float = CPU_BUDGET_S


@dataclass
class Normalized:
    events: list[events.Event]
    blobs: dict[str, bytes]  # blob ref -> bytes, stored by the edge before publishing


def normalize(
    raw: bytes,
    config: MailboxConfig,
    received_at: datetime,
    envelope_rcpts: tuple[str, ...] = (),
    auth: Verdict | None = None,
) -> Normalized:
    """``auth``: our own DKIM/DMARC verdict when the intake checked the mail itself."""
    started = time.process_time()
    root = parse(raw, config.cpu_budget_s)
    bodies = collect(root, config.limits)
    text = bodies.text if bodies.text is not None else html_to_text(bodies.html or "")
    if time.process_time() - started > config.cpu_budget_s:
        raise PermanentError("cpu_budget_exceeded", "normalisation over its CPU budget")
    if bodies.html_bytes is not None:
        bodies.blobs[blob_ref(bodies.html_bytes)] = bodies.html_bytes
    _keep_by_reference(bodies, raw)
    thread = thread_hints(root, config, envelope_rcpts)
    provider_id = thread.message_id or "sha256:" + hashlib.sha256(raw).hexdigest()
    event = events.MessageReceived(
        event_id=events.event_id_for(config.tenant, "email", provider_id, "message"),
        tenant=config.tenant,
        channel=events.ChannelRef(kind="email", account_id=config.account_id),
        provider_message_id=provider_id,
        received_at=received_at,
        conversation_key=conversation_key(config.tenant, thread, _sender_of(root), provider_id),
        provider_timestamp=parse_date(root.get("date")),
        sender=_sender(root, config, auth),
        content=_content(root, text, bodies, auth.header(config.authserv_id) if auth else None),
        attachments=bodies.attachments,
        thread=thread,
    )
    classify.apply(event, root, text, config.trust)
    event.flags.attachments_truncated = bodies.truncated
    return Normalized([event], bodies.blobs)


def conversation_key(
    tenant: str, thread: events.ThreadHints, sender: Address | None, provider_id: str
) -> str:
    """The partition key: the sender, as email can identify them.

    Keyed like every channel, by (tenant, channel, channel identity) — the reference rule: all
    mail from one address lands on one partition, so the unifier sees one customer's mail in
    order and serialises their thread creation without a distributed lock (the duplicate
    conversation race, chatwoot#10798). Threading itself is the unifier's job. Without a usable
    From address: the References root, In-Reply-To, our reply token, the mail's own Message-ID,
    then the provider id — still stable for mails that belong together.
    """
    chain = [f"from:{sender.addr.lower()}"] if sender and sender.addr else []
    chain += [*thread.references[:1], *thread.in_reply_to[:1]]
    if thread.reply_token:
        chain.append(f"token:{thread.reply_token}")
    if thread.message_id:
        chain.append(thread.message_id)
    return f"{tenant}/email/{chain[0] if chain else provider_id}"


def thread_hints(root: Part, config: MailboxConfig, rcpts: tuple[str, ...]) -> events.ThreadHints:
    own = message_ids(root.get("message-id"))
    if not own and (bare := (root.get("message-id") or b"").strip()):
        own = ["<" + raw_text(bare).strip("<> ") + ">"]
    refs = [mid for value in root.get_all("references") for mid in message_ids(value)]
    return events.ThreadHints(
        message_id=own[0] if own else None,
        in_reply_to=message_ids(root.get("in-reply-to")),
        references=refs,
        reply_token=_reply_token(root, config, rcpts),
    )


def _reply_token(root: Part, config: MailboxConfig, rcpts: tuple[str, ...]) -> str | None:
    candidates = list(rcpts)
    for name in _RECIPIENT_HEADERS:
        for value in root.get_all(name):
            candidates.extend(a.addr for a in _addresses(value).addresses)
    for addr in candidates:
        local, _, domain = addr.rpartition("@")
        m = _TOKEN.match(local)
        if m and (not config.reply_domains or domain.lower() in config.reply_domains):
            return m.group(1)
    return None


def _addresses(value: bytes | None) -> AddressList:
    parsed = parse_addresses(raw_text(value or b""))
    named = [
        Address(a.addr, decode_words(a.name.encode()) if a.name else None) for a in parsed.addresses
    ]
    return AddressList(named, parsed.defects)


def _sender_of(root: Part) -> Address | None:
    parsed = _addresses(root.get("from") or root.get("sender") or root.get("return-path"))
    return parsed.addresses[0] if parsed.addresses else None


def _sender(root: Part, config: MailboxConfig, auth: Verdict | None) -> events.Sender:
    sender = _sender_of(root)
    verified_by = _verified_by(root, sender, config, auth)
    reply_to = _addresses(root.get("reply-to")).addresses
    identifiers = (
        [
            events.identifier(
                "email",
                sender.addr.lower(),
                "unverified" if verified_by is None else "dmarc_aligned",
                verified_by or "smtp.from",
            )
        ]
        if sender
        else []
    )
    handle_from = reply_to[0] if reply_to else sender
    handle = handle_from.addr if handle_from else ""
    name = sender.name if sender else None
    return events.Sender(handle=handle, display_name=name, identifiers=identifiers)


def _verified_by(
    root: Part, sender: Address | None, config: MailboxConfig, auth: Verdict | None
) -> str | None:
    """A trusted relay's DMARC/aligned-DKIM pass, else our own aligned verdict for this From."""
    froms = _addresses(root.get("from"))
    n_from = 0 if froms.defects else len(froms.addresses)
    relay = classify.verified_sender(root, sender, n_from, config.trust)
    if relay is not None or auth is None or not auth.aligned:
        return relay
    own = n_from == 1 and sender is not None and auth.from_domain == sender.domain
    return "smtp.dmarc" if own else None


def _keep_by_reference(bodies: Bodies, raw: bytes) -> None:
    """Parts past the byte limit stay in the raw message, which is then stored whole."""
    if bodies.by_reference:
        raw_ref = blob_ref(raw)
        bodies.blobs[raw_ref] = raw
        for a in bodies.by_reference:
            a.ref = raw_ref


def _content(root: Part, text: str, bodies: Bodies, own_results: str | None) -> events.EmailContent:
    """``own_results``: our Authentication-Results summary (never the mail's own headers)."""
    headers = {}
    for name in _KEPT_HEADERS:
        value = root.get(name)
        if value is not None:
            headers[name] = decode_words(value)
    if own_results is not None:
        headers["Authentication-Results"] = own_results
    return events.EmailContent(
        subject=headers.get("Subject", "").strip(),
        text=text,
        visible_text=visible_text(text),
        html_ref=blob_ref(bodies.html_bytes) if bodies.html_bytes is not None else None,
        headers=headers,
        to=[a.addr for a in _addresses(root.get("to")).addresses],
        cc=[a.addr for a in _addresses(root.get("cc")).addresses],
    )
