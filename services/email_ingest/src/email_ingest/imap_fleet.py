"""Every configured mailbox gets its own poller, its own checkpoint and its own mailroom (the
tenant comes from its channel account ``email:<account_id>``), all in this one process."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from dataclasses import replace
from pathlib import Path

from email_ingest.imap import ImapConfig, ImapPoller
from email_ingest.imap_mailbox import MailboxSettings
from email_ingest.imap_metrics import ImapMetrics
from email_ingest.imap_oauth import TokenSource
from email_ingest.mailroom import Mailroom
from hotline.tenancy import Tenancy

log = logging.getLogger(__name__)


def imap_config(mailbox: MailboxSettings, bootstrap: str, checkpoint_dir: Path) -> ImapConfig:
    tokens = TokenSource(mailbox.oauth, mailbox.label) if mailbox.oauth else None
    password = mailbox.password.get_secret_value() if mailbox.password else ""
    return ImapConfig(
        host=mailbox.host,
        port=mailbox.tcp_port,
        user=mailbox.username,
        password=password,
        bootstrap=bootstrap,
        checkpoint=mailbox.checkpoint_path(checkpoint_dir),
        mailbox=mailbox.folder,
        batch=mailbox.batch,
        poll_s=mailbox.poll_s,
        post_action=mailbox.post_action,
        security=mailbox.security,
        ca_file=mailbox.ca_file,
        tokens=tokens,
        name=mailbox.label,
    )


def mailroom_for(mailbox: MailboxSettings, shared: Mailroom, tenancy: Tenancy) -> Mailroom:
    """The shared mailroom's publisher, blobs and metrics, with this mailbox's account."""
    account = mailbox.channel_account
    config = replace(shared.config, tenant=tenancy.tenant_for("email", account), account_id=account)
    return Mailroom(
        shared.intake.publisher, shared.blobs, config, shared.topic, shared.intake.metrics
    )


def pollers(
    mailboxes: list[MailboxSettings],
    shared: Mailroom,
    tenancy: Tenancy,
    bootstrap: str,
    checkpoint_dir: Path,
    metrics: ImapMetrics | None = None,
) -> list[ImapPoller]:
    built = []
    for mailbox in mailboxes:
        warn_if_plaintext(mailbox)
        config = imap_config(mailbox, bootstrap, checkpoint_dir)
        built.append(ImapPoller(config, mailroom_for(mailbox, shared, tenancy), metrics))
    return built


def start(found: list[ImapPoller], stop: asyncio.Event) -> list[asyncio.Task[None]]:
    return [asyncio.create_task(p.run(stop), name=f"imap:{p.cfg.label}") for p in found]


def warn_if_plaintext(mailbox: MailboxSettings) -> None:
    if mailbox.security != "plain":
        return
    loopback = _is_loopback(mailbox.host)
    log.log(
        logging.INFO if loopback else logging.WARNING,
        "imap mailbox %s: security=plain, credentials and mail cross the network unencrypted",
        mailbox.label,
        extra={"mailbox": mailbox.label, "host": mailbox.host},
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
