"""SNS-delivered SES mail -> events (pure, given the signing certificate's PEM; ``cert_pem``
None skips every check: unverified). Confirmations carry no mail: no deliveries."""

from __future__ import annotations

from datetime import datetime

from email_ingest.normalize import MailboxConfig, Normalized
from email_ingest.providers.delivery import Delivery, normalize_delivery
from email_ingest.providers.ses import parse, verify
from email_ingest.providers.settings import SesSettings
from hotline.capture import HttpRequest
from hotline.http import Rejected
from hotline.kafka.errors import PermanentError


def sns_message(body: bytes, verified: bool) -> parse.SnsMessage:
    """The SNS message; without one there is no signature to check: 401 (400 unverified)."""
    try:
        return parse.parse(body)
    except PermanentError as exc:
        if verified:
            raise Rejected(401, "missing_signature", "not an SNS message") from exc
        raise


def mail_of(m: parse.SnsMessage) -> list[Delivery]:
    return [parse.delivery(m)] if m.type == "Notification" else []


def deliveries(
    req: HttpRequest, cert_pem: bytes | None, s: SesSettings, now: float
) -> list[Delivery]:
    m = sns_message(req.body, cert_pem is not None)
    if cert_pem is not None:
        verify.check_envelope(m, s.topic_arns, s.cert_url_pattern, now, s.max_age_s)
        verify.verify_signature(m, cert_pem)
    return mail_of(m)


def normalize(
    req: HttpRequest, cert_pem: bytes | None, s: SesSettings, config: MailboxConfig, at: datetime
) -> list[Normalized]:
    return [normalize_delivery(d, config, at) for d in deliveries(req, cert_pem, s, at.timestamp())]
