"""Per-mailbox health on ``/metrics``: whether each poller is logged in right now, and its
failures by kind, so one broken mailbox among many is visible without reading logs."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge

from email_ingest.imap_checkpoint import CheckpointConflict
from email_ingest.imap_connect import AuthError, TlsError
from email_ingest.imap_oauth import TokenError, TokenUnavailable

_KINDS: tuple[tuple[type[Exception], str], ...] = (
    (TokenUnavailable, "token_unavailable"),
    (TokenError, "token"),
    (TlsError, "tls"),
    (AuthError, "auth"),
    (CheckpointConflict, "checkpoint"),
)


def failure_kind(exc: Exception) -> str:
    for kind, name in _KINDS:
        if isinstance(exc, kind):
            return name
    return "transient"


class ImapMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        registry = registry or CollectorRegistry()
        self.connected = Gauge(
            "hotline_email_imap_connected",
            "1 while the mailbox's poller is logged in",
            ["mailbox"],
            registry=registry,
        )
        self.failures = Counter(
            "hotline_email_imap_failures",
            "IMAP sessions that failed, by kind (tls, auth, token, token_unavailable, "
            "checkpoint, transient)",
            ["mailbox", "kind"],
            registry=registry,
        )

    def up(self, mailbox: str) -> None:
        self.connected.labels(mailbox).set(1)

    def failed(self, mailbox: str, exc: Exception) -> None:
        self.connected.labels(mailbox).set(0)
        self.failures.labels(mailbox, failure_kind(exc)).inc()
