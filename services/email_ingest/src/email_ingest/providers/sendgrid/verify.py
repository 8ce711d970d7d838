"""SendGrid Inbound Parse authentication (pure). Inbound Parse signs nothing, so the webhook URL
carries HTTP Basic credentials (``https://user:password@host/inbound/email/sendgrid``), as
SendGrid's docs suggest for securing the Parse URL; they arrive as ``Authorization: Basic``.
Chosen over a secret path segment because the secret then never appears in access logs."""

from __future__ import annotations

from email_ingest.providers.basic_auth import check_basic


def verify(credentials: list[bytes], authorization: str | None) -> None:
    check_basic(credentials, authorization)
