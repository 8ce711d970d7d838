"""Every IMAP channel account gets its own pollers, checkpoints and mailroom (the tenant is the
account's), all in this one process, following the account registry without a restart."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path

from email_ingest.imap import ImapConfig, ImapPoller
from email_ingest.imap_accounts import KIND, is_imap, mailboxes_of
from email_ingest.imap_mailbox import MailboxSettings
from email_ingest.imap_metrics import ImapMetrics
from email_ingest.imap_oauth import TokenSource
from email_ingest.mailroom import Mailroom
from hotline.accounts.registry import Account, AccountRegistry

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


def mailroom_for(mailbox: MailboxSettings, shared: Mailroom, tenant: str) -> Mailroom:
    """The shared mailroom's publisher, blobs and metrics, with this mailbox's account."""
    config = replace(shared.config, tenant=tenant, account_id=mailbox.channel_account)
    return Mailroom(
        shared.intake.publisher, shared.blobs, config, shared.topic, shared.intake.metrics
    )


@dataclass
class Running:
    """One account's pollers (one per folder) and what stops them."""

    account: Account
    pollers: list[ImapPoller]
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


class ImapFleet:
    """A poller per enabled IMAP account of the registry, kept in step with it: an added
    account starts polling, a changed one (settings or a rotated secret) is restarted with the
    new values, a disabled or removed one stops. A restarted poller waits for its predecessor
    to end first, so two never share a checkpoint."""

    def __init__(
        self,
        registry: AccountRegistry,
        shared: Mailroom,
        bootstrap: str,
        checkpoint_dir: Path,
        metrics: ImapMetrics | None = None,
    ) -> None:
        self.registry, self.shared, self.metrics = registry, shared, metrics
        self.bootstrap, self.checkpoint_dir = bootstrap, checkpoint_dir
        self.running: dict[str, Running] = {}
        self.tasks: set[asyncio.Task[None]] = set()  # every poller task not yet ended
        self.closed = False

    def start(self) -> None:
        for account in self.registry.of_kind(KIND):
            if is_imap(account):
                self._start(account, [])
        self.registry.listen(self.changed)

    def changed(self, before: Account | None, after: Account | None) -> None:
        """A registry change: restart whatever now holds that account id."""
        changed = after or before
        if changed is None or changed.kind != KIND or self.closed:
            return
        old = self.running.pop(changed.account_id, None)
        if old is not None:
            old.stop.set()
        now = self.registry.find(KIND, changed.account_id)
        if is_imap(now) and now is not None and now.account_id == changed.account_id:
            self._start(now, old.tasks if old else [])

    async def close(self) -> None:
        self.closed = True
        for run in self.running.values():
            run.stop.set()
        if not self.tasks:
            return
        _, late = await asyncio.wait(self.tasks, timeout=20)
        for task in late:  # stuck in a network call: cancel instead of waiting on
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)

    def _start(self, account: Account, after: list[asyncio.Task[None]]) -> None:
        try:
            built = self._pollers(account)
        except (KeyError, ValueError) as exc:  # settings that make no mailbox: this account only
            log.error("imap account %s: %s", account.account_id, exc)
            return
        run = Running(account, built)
        run.tasks = [
            asyncio.create_task(_after(after, p, run.stop), name=f"imap:{p.cfg.label}")
            for p in built
        ]
        for task in run.tasks:
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        self.running[account.account_id] = run

    def _pollers(self, account: Account) -> list[ImapPoller]:
        built = []
        for mailbox in mailboxes_of(account):
            warn_if_plaintext(mailbox)
            config = imap_config(mailbox, self.bootstrap, self.checkpoint_dir)
            mailroom = mailroom_for(mailbox, self.shared, account.tenant)
            built.append(ImapPoller(config, mailroom, self.metrics))
        return built


async def _after(
    previous: list[asyncio.Task[None]], poller: ImapPoller, stop: asyncio.Event
) -> None:
    if previous:
        await asyncio.wait(previous)
    await poller.run(stop)


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
