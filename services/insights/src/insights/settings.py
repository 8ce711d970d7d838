"""insights settings (HOTLINE_* environment variables). The service only answers its health
and metrics endpoints for now; the forecast and staffing core is ``insights.forecast`` and
``insights.staffing`` (and ``hotline forecast``)."""

from __future__ import annotations

from hotline.settings import ServiceSettings


class InsightsSettings(ServiceSettings):
    service: str = "insights"
    port: int = 8106
