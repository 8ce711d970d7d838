"""Mandrill post -> events (pure): signature over ``url`` (unless ``keys`` is None:
unverified), every inbound event of the batch normalized as SMTP mail would be."""

from __future__ import annotations

from datetime import datetime

from email_ingest.normalize import MailboxConfig, Normalized
from email_ingest.providers.delivery import Delivery, normalize_delivery
from email_ingest.providers.form import Form, parse_form
from email_ingest.providers.mandrill import parse, verify
from hotline.capture import HttpRequest
from hotline.kafka.errors import PermanentError


def check(req: HttpRequest, keys: list[bytes], url: str = "") -> Form:
    """The signed form, or ``Rejected(401)``; ``url``: the webhook URL as configured at
    Mandrill (the request's own URL if empty)."""
    try:
        form = parse_form(req.body, req.header("content-type") or "")
    except PermanentError:  # unsigned garbage is a 401, signed garbage a 400
        verify.verify(keys, url or req.url, [], req.header("x-mandrill-signature"))
        raise
    verify.verify(keys, url or req.url, form.pairs(), req.header("x-mandrill-signature"))
    return form


def deliveries(req: HttpRequest, keys: list[bytes] | None, url: str = "") -> list[Delivery]:
    if keys is not None:
        form = check(req, keys, url)
    else:
        form = parse_form(req.body, req.header("content-type") or "")
    return parse.deliveries(parse.parse(form))


def normalize(
    req: HttpRequest, keys: list[bytes] | None, config: MailboxConfig, at: datetime, url: str = ""
) -> list[Normalized]:
    return [normalize_delivery(d, config, at) for d in deliveries(req, keys, url)]
