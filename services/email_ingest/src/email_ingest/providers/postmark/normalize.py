"""Postmark post -> events (pure): Basic auth (unless ``credentials`` is None: unverified),
parse, normalize as SMTP mail would be."""

from __future__ import annotations

from datetime import datetime

from email_ingest.normalize import MailboxConfig, Normalized
from email_ingest.providers.delivery import Delivery, normalize_delivery
from email_ingest.providers.postmark import parse, verify
from hotline.capture import HttpRequest


def deliveries(req: HttpRequest, credentials: list[bytes] | None) -> list[Delivery]:
    if credentials is not None:
        verify.verify(credentials, req.header("authorization"))
    return [parse.delivery(parse.parse(req.body))]


def normalize(
    req: HttpRequest, credentials: list[bytes] | None, config: MailboxConfig, at: datetime
) -> list[Normalized]:
    return [normalize_delivery(d, config, at) for d in deliveries(req, credentials)]
