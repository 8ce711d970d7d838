"""email_ingest settings (HOTLINE_* environment variables)."""

from __future__ import annotations

from hotline.settings import ServiceSettings


class EmailSettings(ServiceSettings):
    service: str = "email_ingest"
    port: int = 8101
    max_body_bytes: int = 30 * 1024 * 1024
