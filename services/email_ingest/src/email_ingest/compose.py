"""Reply composition (pure): ``reply.requested.v1`` -> the RFC 5322 bytes we send.

Threading: In-Reply-To is the customer's Message-ID we answer; References carries the chain
plus that id; Reply-To is our ``reply+<token>@<reply domain>`` so the customer's answer threads
back even when the client drops both headers. The Message-ID is derived from the reply id, so a
re-sent reply keeps its id and our own mail coming back is recognised as a loop.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from hotline import events
from hotline.kafka import PermanentError

_TOKEN_SAFE = re.compile(r"^[A-Za-z0-9_.=-]{1,128}$")


@dataclass(frozen=True)
class ReplyConfig:
    sender: str  # "Support <support@acme.test>"
    reply_domain: str  # where reply+<token>@ is received
    message_id_domain: str  # our own outbound Message-IDs (loop detection keys on it)
    default_subject: str = "Re: your request"


@dataclass(frozen=True)
class Composed:
    message_id: str
    recipients: list[str]
    data: bytes


def reply_token(request: events.ReplyRequested) -> str:
    """The request's token, else one derived reversibly from the conversation id (base32)."""
    token = request.thread.reply_token
    if token and _TOKEN_SAFE.match(token):
        return token
    encoded = base64.b32encode(request.conversation_id.encode()).decode().rstrip("=").lower()
    return "c" + encoded[:120]


def outbound_message_id(reply_id: str, domain: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", reply_id)[:100]
    return f"<hotline.{safe}@{domain}>"


Attachment = tuple[events.AttachmentRef, bytes]


def compose(
    request: events.ReplyRequested,
    config: ReplyConfig,
    now: datetime,
    attachments: list[Attachment] | None = None,
) -> Composed:
    if request.channel.kind != "email":
        raise PermanentError("wrong_channel", f"{request.channel.kind} reply on the email topic")
    if "@" not in request.recipient or "\n" in request.recipient:
        raise PermanentError("bad_recipient", request.recipient[:200])
    msg = EmailMessage(policy=SMTP)
    message_id = outbound_message_id(request.reply_id, config.message_id_domain)
    msg["From"] = config.sender
    msg["To"] = request.recipient
    msg["Reply-To"] = f"reply+{reply_token(request)}@{config.reply_domain}"
    msg["Subject"] = _subject(request.content, config)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id
    _thread_headers(msg, request.thread)
    msg["X-Hotline-Reply-Id"] = request.reply_id
    msg.set_content(_text(request.content))
    for ref, data in attachments or []:
        maintype, _, subtype = ref.mime_type.partition("/")
        msg.add_attachment(
            data,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=ref.filename or ref.ref.rsplit("/", 1)[-1][:16],
        )
    return Composed(message_id, [request.recipient], msg.as_bytes())


def _thread_headers(msg: EmailMessage, thread: events.ThreadHints) -> None:
    parent = thread.message_id or (thread.in_reply_to[-1] if thread.in_reply_to else None)
    chain = list(dict.fromkeys([*thread.references, *([parent] if parent else [])]))
    if parent:
        msg["In-Reply-To"] = parent
    if chain:
        msg["References"] = " ".join(chain)


def _subject(content: events.Content, config: ReplyConfig) -> str:
    if isinstance(content, events.EmailContent) and content.subject.strip():
        subject = content.subject.strip()
        return subject if subject.lower().startswith("re:") else f"Re: {subject}"
    return config.default_subject


def _text(content: events.Content) -> str:
    if isinstance(content, events.EmailContent | events.TextContent):
        return content.text
    raise PermanentError("unsupported_content", f"{type(content).__name__} cannot be emailed")
