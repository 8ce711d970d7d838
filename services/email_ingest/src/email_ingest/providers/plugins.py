"""``hotline normalize <provider> FILE``: the inbound mail providers as channel plugins.

A raw HTTP request capture runs the provider's whole pure edge (``--secret``: its signing key,
``user:password`` for the Basic-auth providers, the signing certificate's PEM file for SES;
freshness is not checked offline, a capture is old). A bare body (no request line) runs
unverified, its media type guessed (JSON, multipart by its first boundary line, else a form).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from email_ingest.normalize import MailboxConfig, Normalized
from email_ingest.providers.cloudmailin import normalize as cloudmailin
from email_ingest.providers.delivery import normalize_delivery
from email_ingest.providers.mailgun import normalize as mailgun
from email_ingest.providers.mandrill import normalize as mandrill
from email_ingest.providers.postmark import normalize as postmark
from email_ingest.providers.sendgrid import normalize as sendgrid
from email_ingest.providers.ses import normalize as ses
from email_ingest.providers.ses import parse as ses_parse
from email_ingest.providers.settings import SesSettings
from hotline import events
from hotline.capture import HttpRequest
from hotline.channels import ChannelPlugin

Run = Callable[[HttpRequest, str | None, MailboxConfig, datetime], list[Normalized]]
_CONFIG = MailboxConfig()
FOREVER = sys.maxsize // 2


def plugin(name: str, description: str, run: Run) -> ChannelPlugin:
    def request(req: HttpRequest, secret: str | None) -> list[events.Event]:
        return [e for n in run(req, secret, _CONFIG, datetime.now(UTC)) for e in n.events]

    def body_only(body: bytes) -> list[events.Event]:
        req = HttpRequest("POST", f"https://localhost/inbound/email/{name}", _guess(body), body)
        return request(req, None)

    return ChannelPlugin(name=name, description=description, normalize=body_only, request=request)


def _guess(body: bytes) -> dict[str, str]:
    head = body.lstrip()[:200]
    if head.startswith((b"{", b"[")):
        return {"content-type": "application/json"}
    if head.startswith(b"--"):
        boundary = head[2:].split(b"\n", 1)[0].strip().decode("latin-1")
        return {"content-type": f"multipart/form-data; boundary={boundary}"}
    return {"content-type": "application/x-www-form-urlencoded"}


SecretRun = Callable[[HttpRequest, list[bytes] | None, MailboxConfig, datetime], list[Normalized]]


def _with_secret(run: SecretRun) -> Run:
    """Providers whose one secret is a key or a ``user:password`` pair."""

    def wrapped(
        req: HttpRequest, secret: str | None, c: MailboxConfig, at: datetime
    ) -> list[Normalized]:
        return run(req, None if secret is None else [secret.encode()], c, at)

    return wrapped


def _mailgun(
    req: HttpRequest, keys: list[bytes] | None, c: MailboxConfig, at: datetime
) -> list[Normalized]:
    found = mailgun.deliveries(req, keys, at.timestamp(), FOREVER)
    return [normalize_delivery(d, c, at) for d in found]


def _ses(req: HttpRequest, secret: str | None, c: MailboxConfig, at: datetime) -> list[Normalized]:
    """``secret``: the signing certificate (a PEM file, or the PEM text itself)."""
    pem = None
    if secret is not None:
        pem = secret.encode() if secret.startswith("-----BEGIN") else Path(secret).read_bytes()
    topic = ses_parse.parse(req.body).topic_arn if pem is not None else ""
    s = SesSettings(topic_arns=[topic], max_age_s=FOREVER)
    return ses.normalize(req, pem, s, c, at)


mailgun_plugin = plugin("mailgun", "Mailgun routes forward() posts", _with_secret(_mailgun))
sendgrid_plugin = plugin("sendgrid", "SendGrid Inbound Parse", _with_secret(sendgrid.normalize))
postmark_plugin = plugin("postmark", "Postmark inbound JSON", _with_secret(postmark.normalize))
mandrill_plugin = plugin("mandrill", "Mandrill inbound batches", _with_secret(mandrill.normalize))
cloudmailin_plugin = plugin("cloudmailin", "CloudMailin posts", _with_secret(cloudmailin.normalize))
ses_plugin = plugin("ses", "Amazon SES inbound mail via SNS", _ses)
