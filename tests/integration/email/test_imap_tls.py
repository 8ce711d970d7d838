"""IMAP over TLS against a real Dovecot (``ssl = required``) with a certificate from a CA made
in the test: IMAPS and STARTTLS fetch mail when the CA file is configured, and are refused with
a clear error, nothing logged in and nothing published, when the CA is another one or the
system's."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from email_ingest.imap import ImapConfig
from email_ingest.imap_connect import TlsError
from tests.integration.email.dovecot import Dovecot, message, running_dovecot
from tests.integration.email.imap_run import (
    logins,
    memory_poller,
    message_ids,
    polling,
    wait_until,
)

pytestmark = pytest.mark.integration
NOT_PUBLISHED = "kafka is not asked in these tests"


@pytest.fixture(scope="module")
def tls_dovecot() -> Iterator[Dovecot]:
    with running_dovecot("email-tls", tls=True) as server:
        yield server


def config(server: Dovecot, user: str, security: str, ca: Path | None) -> ImapConfig:
    port = server.tls_port if security == "imaps" else server.port
    work = Path(server.dir, "pollers", user)  # removed with the server's directory
    return ImapConfig("127.0.0.1", port, user, server.password, NOT_PUBLISHED,
                      work / "cp.json", security=security, ca_file=ca)  # fmt: skip


def deliver(server: Dovecot, user: str, first: int, n: int = 2) -> list[str]:
    server.add_user(user)
    for i in range(first, first + n):
        server.deliver(user, message(i), i)
    return [f"<imap-{i}@example.test>" for i in range(first, first + n)]


@pytest.mark.parametrize(
    ("security", "user", "first"), [("imaps", "tina", 500), ("starttls", "stan", 510)]
)
async def test_tls_with_the_ca_file_fetches_the_mail(
    tls_dovecot: Dovecot, security: str, user: str, first: int
) -> None:
    expected = deliver(tls_dovecot, user, first)
    poller, publisher = memory_poller(config(tls_dovecot, user, security, tls_dovecot.ca_file))
    async with polling(poller):
        await wait_until(lambda: len(publisher.published) == 2)
    assert message_ids(publisher) == expected
    assert poller.store.load().last_uid == 2
    seen = logins(tls_dovecot.dir, user)
    assert seen and all("method=PLAIN" in line and ", TLS," in line for line in seen), seen


@pytest.mark.parametrize("security", ["imaps", "starttls"])
@pytest.mark.parametrize("ca", ["other", "system"])
async def test_an_untrusted_certificate_is_refused_with_a_clear_error(
    tls_dovecot: Dovecot, security: str, ca: str, caplog: pytest.LogCaptureFixture
) -> None:
    user = f"eve-{security}-{ca}"
    deliver(tls_dovecot, user, 520)
    ca_file = tls_dovecot.ca_file.with_name("other.crt") if ca == "other" else None
    cfg = config(tls_dovecot, user, security, ca_file)
    poller, publisher = memory_poller(cfg)
    with caplog.at_level(logging.ERROR, logger="email_ingest.imap"):
        async with polling(poller):
            await wait_until(lambda: poller.last_error is not None)
    assert poller.last_error is not None and poller.last_error.startswith("TlsError")
    assert "not trusted" in poller.last_error and "ca_file" in poller.last_error
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any(user in e and "certificate" in e and "not trusted" in e for e in errors), errors
    assert publisher.published == [] and publisher.calls == 0
    assert poller.sessions == 0 and logins(tls_dovecot.dir, user) == []
    assert not cfg.checkpoint.exists()


async def test_imaps_against_a_plaintext_port_is_a_tls_error_not_a_plaintext_login(
    tls_dovecot: Dovecot,
) -> None:
    user = "pat"
    deliver(tls_dovecot, user, 530)
    cfg = config(tls_dovecot, user, "imaps", tls_dovecot.ca_file)
    cfg = ImapConfig(**{**cfg.__dict__, "port": tls_dovecot.port})
    poller, publisher = memory_poller(cfg)
    async with polling(poller):
        await wait_until(lambda: poller.last_error is not None)
    assert poller.last_error is not None and "TLS handshake" in poller.last_error
    assert publisher.published == [] and logins(tls_dovecot.dir, user) == []


async def test_starttls_without_starttls_on_offer_does_not_log_in() -> None:
    with running_dovecot("email-notls") as plain:  # ssl = no: no STARTTLS capability
        deliver(plain, "nina", 540)
        poller, publisher = memory_poller(config(plain, "nina", "starttls", None))
        async with polling(poller):
            await wait_until(lambda: poller.last_error is not None)
        assert poller.last_error is not None
        assert poller.last_error.startswith(TlsError.__name__)
        assert "does not offer STARTTLS" in poller.last_error
        assert publisher.published == [] and logins(plain.dir, "nina") == []


async def test_an_unreadable_ca_file_is_a_tls_error_naming_it(tls_dovecot: Dovecot) -> None:
    user = "carl"
    deliver(tls_dovecot, user, 550)
    missing = Path(tls_dovecot.dir, "pki", "missing.pem")
    poller, publisher = memory_poller(config(tls_dovecot, user, "imaps", missing))
    async with polling(poller):
        await wait_until(lambda: poller.last_error is not None)
    assert poller.last_error == f"TlsError: ca_file {missing} cannot be used: " + (
        "[Errno 2] No such file or directory"
    )
    assert publisher.published == [] and logins(tls_dovecot.dir, user) == []


async def test_a_refused_password_is_an_auth_error_without_the_password_in_the_logs(
    tls_dovecot: Dovecot, caplog: pytest.LogCaptureFixture
) -> None:
    user, wrong = "wendy", 'not-her-"password"'
    deliver(tls_dovecot, user, 560)
    cfg = config(tls_dovecot, user, "imaps", tls_dovecot.ca_file)
    poller, publisher = memory_poller(ImapConfig(**{**cfg.__dict__, "password": wrong}))
    with caplog.at_level(logging.DEBUG):
        async with polling(poller):
            await wait_until(lambda: poller.last_error is not None)
    assert poller.last_error is not None
    assert poller.last_error.startswith(f"AuthError: LOGIN as {user} refused: NO")
    assert publisher.published == [] and "Sending" in caplog.text  # aioimaplib logged LOGIN
    logged = caplog.text + "".join(repr(r.__dict__) for r in caplog.records)
    assert "not-her-" not in logged
