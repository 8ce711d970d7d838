"""Structured JSON logs: one object per line, with event id / topic / partition / offset extras."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

EXTRA_KEYS = (
    "service",
    "event_id",
    "topic",
    "partition",
    "offset",
    "reason",
    "status",
    "route",
    "tenant",
    "channel",
    "attempt",
    "error",
    "url",
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in EXTRA_KEYS:
            if key in record.__dict__:
                doc[key] = record.__dict__[key]
        if record.exc_info:
            doc["exc"] = self.formatException(record.exc_info)
        return json.dumps(doc, default=str, ensure_ascii=False)


def configure(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("aiokafka").setLevel("WARNING")
    # aiosmtpd logs every SMTP command and reply at INFO: ~12 lines per message, 35 MB of JSON
    # in a 5-minute run at 200 msg/s. Each accepted message is logged at DEBUG by its edge
    # (at INFO that line cost ~12% of chat_gateway's CPU at 1,000 msg/s); the inbound topic
    # is the record of what was acknowledged, and ``hotline_produced_total`` counts it.
    logging.getLogger("mail.log").setLevel("WARNING")
