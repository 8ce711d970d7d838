"""CloudMailin authentication (pure): CloudMailin recommends HTTP Basic auth over HTTPS:
credentials in the target URL (``https://user:password@host/inbound/email/cloudmailin``),
which arrive as ``Authorization: Basic``."""

from __future__ import annotations

from email_ingest.providers.basic_auth import check_basic


def verify(credentials: list[bytes], authorization: str | None) -> None:
    check_basic(credentials, authorization)
