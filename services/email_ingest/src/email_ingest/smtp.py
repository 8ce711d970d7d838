"""SMTP intake (aiosmtpd) on the service's own event loop.

SIZE is advertised and enforced (552), unknown recipient domains get 550 at RCPT, and DATA is
answered 250 only after Kafka acked the event or the dead letter; 451 when Kafka is down, so
the sending MTA retries (the deterministic event id makes the retry harmless downstream).
With a ``SenderAuth``, each mail's DKIM signatures and DMARC alignment are checked before it is
normalized; the verdict decides the sender's verification level, never whether mail is taken.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from email_ingest.mailroom import Mailroom
from email_ingest.sender_auth import SenderAuth

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    hostname: str
    max_bytes: int
    domains: frozenset[str]
    tls_cert: Path | None = None
    tls_key: Path | None = None


class SmtpHandler:
    def __init__(
        self, mailroom: Mailroom, domains: frozenset[str], auth: SenderAuth | None = None
    ) -> None:
        self.mailroom = mailroom
        self.domains = domains
        self.auth = auth

    async def handle_RCPT(  # aiosmtpd's hook names
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        domain = address.rpartition("@")[2].lower().rstrip(".")
        if domain not in self.domains:
            return "550 5.1.2 Unknown recipient domain"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        verdict = await self.auth.check(raw) if self.auth else None
        rcpts = tuple(envelope.rcpt_tos)
        prepared, result = await self.mailroom.accept(raw, rcpts, source="smtp", auth=verdict)
        if not result.accepted:
            return "451 4.3.0 Temporarily unable to accept mail, try again later"
        if result.status == "dead_lettered":
            return f"250 2.0.0 Accepted for review ({result.detail})"
        return f"250 2.0.0 OK {prepared.marker}"


def _tls(config: SmtpConfig) -> ssl.SSLContext | None:
    if not config.tls_cert:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(config.tls_cert, config.tls_key)
    return context


async def start_smtp(
    mailroom: Mailroom, config: SmtpConfig, auth: SenderAuth | None = None
) -> asyncio.Server:
    handler = SmtpHandler(mailroom, config.domains, auth)
    tls = _tls(config)

    def factory() -> Any:
        return SMTP(
            handler,
            data_size_limit=config.max_bytes,
            hostname=config.hostname,
            decode_data=False,
            enable_SMTPUTF8=True,
            tls_context=tls,
            timeout=60,
        )

    loop = asyncio.get_running_loop()
    server = await loop.create_server(factory, host=config.host, port=config.port)
    log.info("smtp listening", extra={"host": config.host, "port": config.port})
    return server
