"""IMAP mailboxes as channel accounts in one running email_ingest, against a real Dovecot and
the real broker: a mailbox from the environment and one from the account registry are polled
at once, each with its own tenant and checkpoint; a third added at run time (``put``) starts
polling without a restart, a rotated password restarts its poller with the newest value, and
a disabled account stops while the others go on."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI

from email_ingest.app import create_app, imap_worker
from email_ingest.imap_fleet import ImapFleet
from email_ingest.imap_mailbox import MailboxSettings
from hotline import events
from hotline.accounts.registry import Account, AccountRegistry
from tests.http_helpers import serve_app, wait_ready
from tests.integration.email.conftest import settings_for
from tests.integration.email.dovecot import Dovecot, message, running_dovecot
from tests.integration.email.imap_run import wait_until
from tests.integration.email.test_imap import wait_for_records
from tests.kafka_helpers import fresh_topic, read_all

pytestmark = pytest.mark.integration
POLL_S = 0.3


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    with running_dovecot("email-accounts") as server:
        for user in ("ann", "ben", "cid"):
            server.add_user(user)
        yield server


def mailbox_account(
    server: Dovecot, user: str, tenant: str, password: str, version: int = 1, enabled: bool = True
) -> Account:
    settings = {
        "source": "imap",
        "host": "127.0.0.1",
        "port": server.port,
        "security": "plain",
        "username": user,
        "folders": ["INBOX"],
        "auth": "password",
        "poll_s": POLL_S,
    }
    secrets = {"password": (password, "an-older-password")}
    return Account("email", f"{user}@{tenant}.test", tenant, secrets, settings, enabled, version)


@dataclass
class Running:
    app: FastAPI
    topic: str
    work: Path

    @property
    def accounts(self) -> AccountRegistry:
        registry: AccountRegistry = self.app.state.accounts
        return registry

    @property
    def fleet(self) -> ImapFleet:
        fleet = self.app.state.email_lifespan.fleet
        assert isinstance(fleet, ImapFleet)
        return fleet


@pytest.fixture
async def service(kafka: str, dovecot: Dovecot, tmp_path: Path) -> AsyncIterator[Running]:
    topic = await fresh_topic(kafka)
    ann = MailboxSettings(host="127.0.0.1", port=dovecot.port, security="plain", username="ann",
                          password=dovecot.password, account_id="ann@acme.test", name="ann",
                          poll_s=POLL_S)  # fmt: skip
    settings = settings_for(
        kafka, topic, smtp_enabled=False, tenants={"email:ann@acme.test": "acme"},
        imap_mailboxes=[ann], imap_checkpoint_dir=tmp_path / "imap",
    )  # fmt: skip
    app = create_app(settings, workers=[imap_worker])
    app.state.accounts.put(mailbox_account(dovecot, "ben", "beta", dovecot.password))
    async with serve_app(app):
        await wait_ready(app)
        yield Running(app, topic, tmp_path)


async def received(kafka: str, topic: str) -> dict[str, tuple[str, str]]:
    """Message id -> (tenant, channel account) of everything on the topic."""
    out = {}
    for record in await read_all(kafka, topic, timeout=5):
        e = events.decode(record.value or b"")
        assert isinstance(e, events.MessageReceived)
        out[e.provider_message_id] = (e.tenant, e.channel.account_id)
    return out


def deliver(server: Dovecot, user: str, numbers: range) -> None:
    for i in numbers:
        server.deliver(user, message(i), i)


async def test_mailbox_accounts_follow_the_registry_without_a_restart(
    kafka: str, dovecot: Dovecot, service: Running
) -> None:
    deliver(dovecot, "ann", range(800, 803))
    deliver(dovecot, "ben", range(810, 812))
    await wait_for_records(kafka, service.topic, 5)
    got = await received(kafka, service.topic)
    assert {got[f"<imap-{i}@example.test>"] for i in range(800, 803)} == {("acme", "ann@acme.test")}
    assert {got[f"<imap-{i}@example.test>"] for i in range(810, 812)} == {("beta", "ben@beta.test")}
    assert sorted(p.name for p in (service.work / "imap").iterdir()) == [
        "ann.json",
        "ben@beta.test.json",
    ]  # each account its own checkpoint, keyed by the account

    # a third mailbox, added while running: first with a password the server refuses
    deliver(dovecot, "cid", range(820, 822))
    service.accounts.put(mailbox_account(dovecot, "cid", "gamma", "not-the-password"))
    await wait_until(lambda: _last_error(service, "cid@gamma.test") is not None)
    # the password rotated at the admin API: the poller restarts with the newest value
    service.accounts.put(mailbox_account(dovecot, "cid", "gamma", dovecot.password, version=2))
    await wait_for_records(kafka, service.topic, 7)
    got = await received(kafka, service.topic)
    assert {got[f"<imap-{i}@example.test>"] for i in (820, 821)} == {("gamma", "cid@gamma.test")}

    # ben disabled: its poller stops, the others go on
    ben_tasks = service.fleet.running["ben@beta.test"].tasks
    service.accounts.put(
        mailbox_account(dovecot, "ben", "beta", dovecot.password, version=2, enabled=False)
    )
    await asyncio.wait_for(asyncio.gather(*ben_tasks), 10)
    assert "ben@beta.test" not in service.fleet.running
    deliver(dovecot, "ben", range(812, 814))
    deliver(dovecot, "ann", range(803, 804))
    await wait_for_records(kafka, service.topic, 8)
    await asyncio.sleep(POLL_S * 5)  # several polls of the others: nothing of ben's
    got = await received(kafka, service.topic)
    assert "<imap-803@example.test>" in got and len(got) == 8
    assert not {"<imap-812@example.test>", "<imap-813@example.test>"} & set(got)


def _last_error(service: Running, account_id: str) -> str | None:
    running = service.fleet.running.get(account_id)
    return running.pollers[0].last_error if running else None
