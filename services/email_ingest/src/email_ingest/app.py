"""email_ingest: the FastAPI app; its lifespan also runs the SMTP intake, the IMAP poller and
the reply sender, so ``python -m email_ingest`` is the whole service."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from fastapi import FastAPI

from email_ingest.attachments import Limits
from email_ingest.classify import Trust
from email_ingest.compose import ReplyConfig
from email_ingest.dns_txt import DnsConfig
from email_ingest.edge import router
from email_ingest.imap import ImapConfig, ImapPoller
from email_ingest.intake import Intake
from email_ingest.normalize import MailboxConfig
from email_ingest.replies import RelayConfig, ReplySender, reply_loop
from email_ingest.sender_auth import SenderAuth
from email_ingest.settings import EmailSettings
from email_ingest.smtp import SmtpConfig, start_smtp
from hotline.blobs import LocalBlobStore
from hotline.http import ServiceState, create_service_app

Worker = Callable[["Runtime", ServiceState], Awaitable[None]]


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


class Runtime:
    """What the lifespan starts and stops besides the producer."""

    def __init__(self, settings: EmailSettings, workers: list[Worker]) -> None:
        self.settings = settings
        self.workers = workers
        self.intake: Intake | None = None
        self.smtp: asyncio.Server | None = None
        self.stopping = asyncio.Event()

    async def start(self, state: ServiceState) -> None:
        assert self.intake is not None
        if self.settings.smtp_enabled:
            auth = sender_auth(self.settings, state)
            self.smtp = server = await start_smtp(self.intake, smtp_config(self.settings), auth)

            async def smtp_ready() -> bool:
                return server.is_serving()

            state.ready_checks["smtp"] = smtp_ready
        for worker in self.workers:
            await worker(self, state)

    async def stop(self, state: ServiceState) -> None:
        self.stopping.set()
        if self.smtp is not None:
            self.smtp.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.smtp.wait_closed(), 5)


def create_app(
    settings: EmailSettings | None = None, workers: list[Worker] | None = None
) -> FastAPI:
    settings = settings or EmailSettings()
    runtime = Runtime(settings, workers if workers is not None else default_workers(settings))
    app = create_service_app(
        settings,
        on_start=runtime.start,
        on_stop=runtime.stop,
        body_limits={"/inbound/email": settings.webhook_max_bytes},
    )
    state: ServiceState = app.state.hotline
    blobs = LocalBlobStore(settings.blob_dir)
    runtime.intake = Intake(state.producer, blobs, mailbox_config(settings), settings.inbound_topic)
    secrets = [s.get_secret_value().encode() for s in settings.webhook_secrets]
    app.include_router(router(runtime.intake, secrets))
    app.state.email_runtime = runtime
    return app


def default_workers(settings: EmailSettings) -> list[Worker]:
    workers: list[Worker] = []
    if settings.imap_host:
        workers.append(imap_worker)
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
    return ReplySender(state.producer, relay, config, s.results_topic, LocalBlobStore(s.blob_dir))


async def reply_worker(runtime: Runtime, state: ServiceState) -> None:
    s = runtime.settings
    loop = reply_loop(reply_sender(s, state), s.kafka_bootstrap, s.replies_topic, s.reply_group)
    state.tasks.append(asyncio.create_task(loop.run(runtime.stopping)))


def imap_config(s: EmailSettings) -> ImapConfig:
    assert s.imap_host is not None
    return ImapConfig(
        host=s.imap_host,
        port=s.imap_port,
        user=s.imap_user,
        password=s.imap_password.get_secret_value() if s.imap_password else "",
        bootstrap=s.kafka_bootstrap,
        checkpoint=s.imap_checkpoint,
        mailbox=s.imap_mailbox,
        batch=s.imap_batch,
        poll_s=s.imap_poll_s,
        post_action=s.imap_post_action,
    )


async def imap_worker(runtime: Runtime, state: ServiceState) -> None:
    assert runtime.intake is not None
    poller = ImapPoller(imap_config(runtime.settings), runtime.intake)
    state.tasks.append(asyncio.create_task(poller.run(runtime.stopping)))


def bootstrap() -> tuple[FastAPI, EmailSettings]:
    settings = EmailSettings()
    return create_app(settings), settings
