"""The ``email`` channel plugin: ``hotline normalize email FILE...`` runs the pure pipeline."""

from __future__ import annotations

from datetime import UTC, datetime

from email_ingest.normalize import MailboxConfig, normalize
from hotline import events
from hotline.channels import ChannelPlugin

_DEFAULT = MailboxConfig()


def _normalize(raw: bytes) -> list[events.Event]:
    return normalize(raw, _DEFAULT, datetime.now(UTC)).events


plugin = ChannelPlugin(
    name="email",
    description="raw RFC 5322 / MIME mail (.eml) -> message.received.v1",
    normalize=_normalize,
)
