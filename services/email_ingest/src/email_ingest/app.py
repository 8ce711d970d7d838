"""email_ingest: the FastAPI app; its lifespan also runs the SMTP intake, the IMAP poller and
the reply sender, so ``python -m email_ingest`` is the whole service."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from fastapi import FastAPI

from email_ingest.accounts import registry_for
from email_ingest.attachments import Limits
from email_ingest.classify import Trust
from email_ingest.compose import ReplyConfig
from email_ingest.dns_txt import DnsConfig
from email_ingest.edge import router
from email_ingest.imap_fleet import ImapFleet
from email_ingest.imap_metrics import ImapMetrics
from email_ingest.mailroom import Mailroom
from email_ingest.normalize import MailboxConfig
from email_ingest.providers.routes import provider_routes
from email_ingest.replies import RelayConfig, ReplySender, reply_loop
from email_ingest.sender_auth import SenderAuth
from email_ingest.settings import EmailSettings
from email_ingest.smtp import SmtpConfig, start_smtp
from hotline.accounts.following import followed
from hotline.accounts.registry import AccountRegistry
from hotline.blobs import open_blob_store
from hotline.http import ServiceState, create_service_app
from hotline.intake import KafkaPublisher, Publisher

Worker = Callable[["EmailLifespan", ServiceState], Awaitable[None]]


def mailbox_config(s: EmailSettings) -> MailboxConfig:
    return MailboxConfig(
        tenant=s.tenancy().tenant_for("email", s.account_id),
        account_id=s.account_id,
        authserv_id=s.smtp_hostname,
        reply_domains=frozenset(d.lower() for d in s.reply_domains),
        trust=Trust(
            authserv_ids=frozenset(a.lower() for a in s.trusted_authserv_ids),
            own_message_id_domain=s.own_message_id_domain,
        ),
        limits=Limits(max_total_bytes=s.smtp_max_bytes * 2),
    )


def smtp_config(s: EmailSettings) -> SmtpConfig:
    return SmtpConfig(
        host=s.smtp_host,
        port=s.smtp_port,
        hostname=s.smtp_hostname,
        max_bytes=s.smtp_max_bytes,
        domains=frozenset(d.lower() for d in s.recipient_domains),
        tls_cert=s.smtp_tls_cert,
        tls_key=s.smtp_tls_key,
    )


def sender_auth(s: EmailSettings, state: ServiceState) -> SenderAuth | None:
    if not s.smtp_check_dkim:
        return None
    dns = DnsConfig(server=s.dns_server, timeout_s=s.dns_timeout_s, cache_s=s.dns_cache_s)
    return SenderAuth(dns, s.smtp_hostname, state.metrics.registry)


class EmailLifespan:
    """What the lifespan starts and stops besides the producer."""

    def __init__(
        self, settings: EmailSettings, workers: list[Worker], accounts: AccountRegistry
    ) -> None:
        self.settings = settings
        self.workers = workers
        self.accounts = accounts
        self.mailroom: Mailroom | None = None
        self.smtp: asyncio.Server | None = None
        self.fleet: ImapFleet | None = None
        self.stopping = asyncio.Event()

    async def start(self, state: ServiceState) -> None:
        assert self.mailroom is not None
        if self.settings.smtp_enabled:
            auth = sender_auth(self.settings, state)
            self.smtp = server = await start_smtp(self.mailroom, smtp_config(self.settings), auth)

            async def smtp_ready() -> bool:
                return server.is_serving()

            state.ready_checks["smtp"] = smtp_ready
        for worker in self.workers:
            await worker(self, state)

    async def stop(self, state: ServiceState) -> None:
        self.stopping.set()
        if self.fleet is not None:
            await self.fleet.close()
        if self.smtp is not None:
            self.smtp.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.smtp.wait_closed(), 5)


def create_app(
    settings: EmailSettings | None = None,
    workers: list[Worker] | None = None,
    publisher: Publisher | None = None,
) -> FastAPI:
    """``publisher``: where accepted mail goes (Kafka through the service's producer unless
    given, e.g. ``hotline.intake.MemoryPublisher`` in tests)."""
    settings = settings or EmailSettings()
    accounts = registry_for(settings)
    chosen = workers if workers is not None else default_workers(settings)
    lifespan = EmailLifespan(settings, chosen, accounts)
    app = create_service_app(
        settings,
        on_start=lifespan.start,
        on_stop=lifespan.stop,
        body_limits={"/inbound/email": settings.webhook_max_bytes},
        accounts=followed(accounts, publisher),
    )
    state: ServiceState = app.state.hotline
    blobs = open_blob_store(settings, settings.blob_dir)
    publisher = publisher or KafkaPublisher(state.producer)
    config, topic = mailbox_config(settings), settings.inbound_topic
    lifespan.mailroom = Mailroom(publisher, blobs, config, topic, state.metrics)
    secrets = [s.get_secret_value().encode() for s in settings.webhook_secrets]
    app.include_router(router(lifespan.mailroom, secrets))
    app.include_router(provider_routes(lifespan.mailroom, accounts, settings.providers()))
    app.state.email_lifespan = lifespan
    app.state.accounts = accounts
    return app


def default_workers(settings: EmailSettings) -> list[Worker]:
    """The IMAP fleet always runs: mailbox accounts may be added at run time."""
    workers: list[Worker] = [imap_worker]
    if settings.relay_host:
        workers.append(reply_worker)
    return workers


def reply_sender(s: EmailSettings, state: ServiceState) -> ReplySender:
    assert s.relay_host is not None
    config = ReplyConfig(
        sender=s.reply_from,
        reply_domain=(s.reply_domains or [s.own_message_id_domain])[0],
        message_id_domain=s.own_message_id_domain,
    )
    relay = RelayConfig(
        host=s.relay_host, port=s.relay_port, attempts=s.relay_attempts, backoff_s=s.relay_backoff_s
    )
    blobs = open_blob_store(s, s.blob_dir)
    return ReplySender(state.producer, relay, config, s.results_topic, blobs)


async def reply_worker(lifespan: EmailLifespan, state: ServiceState) -> None:
    s = lifespan.settings
    loop = reply_loop(reply_sender(s, state), s.kafka_bootstrap, s.replies_topic, s.reply_group)
    state.tasks.append(asyncio.create_task(loop.run(lifespan.stopping)))


async def imap_worker(lifespan: EmailLifespan, state: ServiceState) -> None:
    """One poller per IMAP account (per folder), following the account registry; each fails
    and backs off on its own."""
    assert lifespan.mailroom is not None
    s = lifespan.settings
    metrics = ImapMetrics(state.metrics.registry)
    lifespan.fleet = ImapFleet(
        lifespan.accounts, lifespan.mailroom, s.kafka_bootstrap, s.imap_checkpoint_dir, metrics
    )
    lifespan.fleet.start()


def bootstrap() -> tuple[FastAPI, EmailSettings]:
    settings = EmailSettings()
    return create_app(settings), settings
