"""SNS HTTP messages and the SES "Received" notification inside them (pure).

SNS posts JSON (``Type``: ``SubscriptionConfirmation``, ``Notification`` or
``UnsubscribeConfirmation``). A notification's ``Message`` is SES's JSON: ``receipt``
(``recipients``, ``spamVerdict.status``, ``action.encoding``: ``UTF8`` or ``BASE64``) and
``content``, the raw mail, present only when the receipt rule's action is SNS.
"""

from __future__ import annotations

import base64
import binascii

import msgspec

from email_ingest.providers.delivery import Delivery
from hotline.kafka.errors import PermanentError


class S(msgspec.Struct, forbid_unknown_fields=False):
    pass


class SnsMessage(S, rename="pascal"):
    type: str
    message_id: str = ""
    topic_arn: str = ""
    subject: str | None = None
    message: str = ""
    timestamp: str = ""
    signature_version: str = ""
    signature: str = ""
    signing_cert_u_r_l: str = msgspec.field(default="", name="SigningCertURL")
    subscribe_u_r_l: str | None = msgspec.field(default=None, name="SubscribeURL")
    token: str | None = None


class Verdict(S):
    status: str = ""


class Action(S):
    type: str = ""
    encoding: str = "UTF8"


class Receipt(S, rename="camel"):
    recipients: list[str] = []
    spam_verdict: Verdict | None = None
    action: Action = msgspec.field(default_factory=Action)


class Received(S, rename="camel"):
    notification_type: str = ""
    receipt: Receipt = msgspec.field(default_factory=Receipt)
    content: str | None = None


_sns = msgspec.json.Decoder(SnsMessage)
_ses = msgspec.json.Decoder(Received)


def parse(body: bytes) -> SnsMessage:
    try:
        return _sns.decode(body)
    except msgspec.DecodeError as exc:
        raise PermanentError("malformed", f"not an SNS message: {exc}") from exc


def delivery(m: SnsMessage) -> Delivery:
    try:
        ses = _ses.decode(m.message)
    except msgspec.DecodeError as exc:
        raise PermanentError("malformed", f"not an SES notification: {exc}") from exc
    if ses.notification_type != "Received" or ses.content is None:
        raise PermanentError("malformed", "no mail content: the receipt rule needs an SNS action")
    spam = ses.receipt.spam_verdict is not None and ses.receipt.spam_verdict.status == "FAIL"
    return Delivery(_content(ses), tuple(ses.receipt.recipients), spam)


def _content(ses: Received) -> bytes:
    text = ses.content or ""
    if ses.receipt.action.encoding.upper() != "BASE64":
        return text.encode("utf-8", "surrogateescape")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PermanentError("malformed", "content is not base64") from exc
