"""unifier settings (HOTLINE_* environment variables)."""

from __future__ import annotations

from hotline.settings import ServiceSettings


class UnifierSettings(ServiceSettings):
    service: str = "unifier"
    port: int = 8104
    database_url: str = "sqlite:///var/unifier.db"
