"""social_ingest settings (HOTLINE_* environment variables)."""

from __future__ import annotations

from hotline.settings import ServiceSettings


class SocialSettings(ServiceSettings):
    service: str = "social_ingest"
    port: int = 8103
