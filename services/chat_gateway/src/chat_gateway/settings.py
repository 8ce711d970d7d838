"""chat_gateway settings (HOTLINE_* environment variables)."""

from __future__ import annotations

from hotline.settings import ServiceSettings


class ChatSettings(ServiceSettings):
    service: str = "chat_gateway"
    port: int = 8102
