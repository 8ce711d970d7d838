"""Mailgun post -> events (pure): verify (unless ``keys`` is None: unverified), parse,
normalize as SMTP mail would be."""

from __future__ import annotations

from datetime import datetime

from email_ingest.normalize import MailboxConfig, Normalized
from email_ingest.providers.delivery import Delivery, normalize_delivery
from email_ingest.providers.form import Form, parse_form
from email_ingest.providers.mailgun import parse, verify
from hotline.capture import HttpRequest
from hotline.http import Rejected
from hotline.kafka.errors import PermanentError


def check(req: HttpRequest, keys: list[bytes], now: float, max_age_s: int = 300) -> Form:
    """The signed form, or ``Rejected(401)``."""
    try:
        form = parse_form(req.body, req.header("content-type") or "")
    except PermanentError as exc:  # the signature lives in the form: no form, no signature
        raise Rejected(401, "missing_signature", "not a form: no signature") from exc
    s = parse.signed(form)
    verify.verify(keys, s.timestamp, s.token, s.signature, now, max_age_s)
    return form


def deliveries(
    req: HttpRequest, keys: list[bytes] | None, now: float, max_age_s: int = 300
) -> list[Delivery]:
    if keys is not None:
        return [parse.delivery(check(req, keys, now, max_age_s))]
    return [parse.delivery(parse_form(req.body, req.header("content-type") or ""))]


def normalize(
    req: HttpRequest, keys: list[bytes] | None, config: MailboxConfig, received_at: datetime
) -> list[Normalized]:
    found = deliveries(req, keys, received_at.timestamp())
    return [normalize_delivery(d, config, received_at) for d in found]
