"""Several mailboxes in one ``python -m email_ingest`` (``HOTLINE_IMAP_MAILBOXES``) against a
real Dovecot with TLS and an OAuth2 passdb, publishing to the real broker: a password mailbox
over IMAPS and an XOAUTH2 mailbox over STARTTLS are polled at once, each message is published
once with its own mailbox's tenant and account, each mailbox keeps its own checkpoint, and a
third mailbox whose certificate is not trusted fails on its own without stopping the others."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.request import urlopen

import pytest

from email_ingest.imap_checkpoint import CheckpointFile
from hotline import events
from hotline_tools.devstack.broker import free_port
from tests.integration.email.conftest import SECRET
from tests.integration.email.dovecot import Dovecot, message, running_dovecot
from tests.integration.email.oauth_server import OAuthState, oauth_server
from tests.integration.email.test_imap import wait_for_records
from tests.kafka_helpers import fresh_topic, read_all

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[3]
TENANTS = {"email:sales@acme.test": "acme", "email:help@beta.test": "beta"}


@dataclass
class Peers:
    dovecot: Dovecot
    url: str
    state: OAuthState


@pytest.fixture(scope="module")
def peers() -> Iterator[Peers]:
    with (
        oauth_server() as (url, state),
        running_dovecot("email-boxes", tls=True, oauth_url=f"{url}/introspect") as dovecot,
    ):
        Path(dovecot.dir, "service").mkdir()
        yield Peers(dovecot, url, state)


def mailboxes(peers: Peers) -> list[dict[str, object]]:
    server, ca = peers.dovecot, str(peers.dovecot.ca_file)
    common = {"host": "127.0.0.1", "ca_file": ca, "poll_s": 0.5, "post_action": "seen"}
    oauth = {
        "token_url": f"{peers.url}/token",
        "client_id": peers.state.client_id,
        "client_secret": peers.state.client_secret,
        "refresh_token": peers.state.refresh_token_for("hana@beta.test"),
    }
    return [
        {**common, "name": "sales", "username": "sam", "password": server.password,
         "security": "imaps", "port": server.tls_port, "account_id": "sales@acme.test"},
        {**common, "name": "help", "username": "hana@beta.test", "oauth": oauth,
         "security": "starttls", "port": server.port, "account_id": "help@beta.test"},
        {**common, "name": "broken", "username": "bert", "password": server.password,
         "security": "imaps", "port": server.tls_port, "ca_file": None},
    ]  # fmt: skip


def service_env(kafka: str, topic: str, peers: Peers, work: Path) -> dict[str, str]:
    return {
        **os.environ,
        "HOTLINE_ROOT": str(REPO),
        "HOTLINE_ENV": "test",
        "HOTLINE_KAFKA_BOOTSTRAP": kafka,
        "HOTLINE_PORT": str(free_port()),
        "HOTLINE_DEFAULT_TENANT": "other",
        "HOTLINE_TENANTS": json.dumps(TENANTS),
        "HOTLINE_INBOUND_TOPIC": topic,
        "HOTLINE_BLOB_DIR": str(work / "blobs"),
        "HOTLINE_WEBHOOK_SECRETS": f'["{SECRET.decode()}"]',
        "HOTLINE_SMTP_ENABLED": "false",
        "HOTLINE_IMAP_MAILBOXES": json.dumps(mailboxes(peers)),
        "HOTLINE_IMAP_CHECKPOINT_DIR": str(work / "imap"),
        "HOTLINE_LOG_LEVEL": "INFO",
    }


def deliver(server: Dovecot, user: str, numbers: range) -> None:
    for i in numbers:
        server.deliver(user, message(i), i)


async def run_service(env: dict[str, str], work: Path, log_name: str, total: int) -> str:
    """Start the service, wait for ``total`` records, stop it; its log and its /metrics."""
    kafka, topic = env["HOTLINE_KAFKA_BOOTSTRAP"], env["HOTLINE_INBOUND_TOPIC"]
    with (work / log_name).open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "email_ingest"], env=env, cwd=work,
                                stdout=log, stderr=log)  # fmt: skip
        try:
            await wait_for_records(kafka, topic, total, timeout=60)
            url = f"http://127.0.0.1:{env['HOTLINE_PORT']}/metrics"
            metrics = await asyncio.to_thread(scrape, url)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=20)
    return (work / log_name).read_text(errors="replace") + metrics


def scrape(url: str) -> str:
    with urlopen(url, timeout=10) as answer:
        return bytes(answer.read()).decode()


def metric(text: str, line_start: str) -> float:
    return sum(float(x.split()[-1]) for x in text.splitlines() if x.startswith(line_start))


async def test_two_mailboxes_one_process_each_message_once_with_its_own_checkpoint(
    kafka: str, peers: Peers
) -> None:
    server = peers.dovecot
    for user in ("sam", "bert"):
        server.add_user(user)
    deliver(server, "sam", range(700, 704))
    deliver(server, "hana@beta.test", range(710, 714))
    deliver(server, "bert", range(720, 722))
    topic = await fresh_topic(kafka, 3)
    work = Path(server.dir, "service")  # made by the fixture, removed with the server
    env = service_env(kafka, topic, peers, work)
    log = await run_service(env, work, "first.log", 8)
    assert metric(log, 'hotline_email_imap_connected{mailbox="sales"}') == 1
    assert metric(log, 'hotline_email_imap_connected{mailbox="help"}') == 1
    assert metric(log, 'hotline_email_imap_connected{mailbox="broken"}') == 0
    assert metric(log, 'hotline_email_imap_failures_total{kind="tls",mailbox="broken"}') >= 1
    failures = [x for x in log.splitlines() if x.startswith("hotline_email_imap_failures_total")]
    working = [x for x in failures if 'mailbox="broken"' not in x]
    # at most a retry while the producer was still connecting: never a TLS or login error
    assert all('kind="transient"' in x for x in working), failures
    deliver(server, "sam", range(704, 706))  # while stopped: picked up from the checkpoint
    deliver(server, "hana@beta.test", range(714, 715))
    log += await run_service(env, work, "second.log", 11)
    records = await read_all(kafka, topic, timeout=10)
    got = [events.decode(r.value or b"") for r in records]
    assert all(isinstance(e, events.MessageReceived) for e in got)
    where = sorted((e.provider_message_id, e.tenant, e.channel.account_id) for e in got)  # type: ignore[union-attr]
    assert where == sorted(
        [(f"<imap-{i}@example.test>", "acme", "sales@acme.test") for i in range(700, 706)]
        + [(f"<imap-{i}@example.test>", "beta", "help@beta.test") for i in range(710, 715)]
    ), log[-3000:]
    sales = CheckpointFile(work / "imap" / "sales.json", owner="sam@127.0.0.1/INBOX").load()
    help_ = CheckpointFile(work / "imap" / "help.json", owner="hana@beta.test@127.0.0.1/INBOX")
    assert (sales.last_uid, help_.load().last_uid) == (6, 5)
    assert sorted(p.name for p in (work / "imap").iterdir()) == ["help.json", "sales.json"]
    assert "imap mailbox broken" in log and "not trusted" in log  # its own error, named
    assert len(peers.state.grants) == 2  # one access token per process start
