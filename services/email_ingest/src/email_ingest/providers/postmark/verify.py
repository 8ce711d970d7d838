"""Postmark inbound authentication (pure): Postmark signs nothing; its docs recommend HTTP Basic
auth credentials in the webhook URL (``https://user:password@host/inbound/email/postmark``),
which arrive as ``Authorization: Basic``."""

from __future__ import annotations

from email_ingest.providers.basic_auth import check_basic


def verify(credentials: list[bytes], authorization: str | None) -> None:
    check_basic(credentials, authorization)
