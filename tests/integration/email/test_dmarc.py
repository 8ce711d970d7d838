"""Our SMTP intake checks DKIM and DMARC alignment itself, against a real authoritative DNS
server (nsd, started here) serving the test zones; mail is signed by a real DKIM signer
(dkimpy) and sent by swaks. Whatever the verdict, the mail is ingested."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator

import dkim
import httpx
import pytest

from email_ingest.app import create_app
from hotline import events
from tests.dns_server import DkimKey, Nsd, Zone, new_dkim_key
from tests.http_helpers import serve_app, wait_ready
from tests.integration.email.conftest import DOMAIN, Service, settings_for
from tests.kafka_helpers import fresh_topic, read_all

pytestmark = pytest.mark.integration

SELECTOR = "sel"
REJECT = "v=DMARC1; p=reject"
SIGNED = [b"from", b"to", b"subject", b"date", b"message-id"]


@pytest.fixture(scope="module")
def keys() -> dict[str, DkimKey]:
    return {"example.test": new_dkim_key(), "other.test": new_dkim_key()}


@pytest.fixture(scope="module")
def nsd(keys: dict[str, DkimKey]) -> Iterator[Nsd]:
    key_record = f"{SELECTOR}._domainkey"
    zones = [
        Zone("example.test", {key_record: keys["example.test"].txt(), "_dmarc": REJECT}),
        Zone("other.test", {key_record: keys["other.test"].txt(), "_dmarc": REJECT}),
        Zone("nodmarc.test", {key_record: keys["example.test"].txt()}),  # no _dmarc record
    ]
    server = Nsd(zones).start()
    try:
        yield server
    finally:
        server.stop()


async def service_on(kafka: str, dns_server: str, timeout_s: float) -> AsyncIterator[Service]:
    topic = await fresh_topic(kafka)
    settings = settings_for(kafka, topic, dns_server=dns_server, dns_timeout_s=timeout_s)
    app = create_app(settings, workers=[])
    async with serve_app(app) as url:
        await wait_ready(app)
        yield Service(url, settings.smtp_port, topic, settings.blob_dir, settings)


@pytest.fixture(scope="module")
async def checked(kafka: str, nsd: Nsd) -> AsyncIterator[Service]:
    async for service in service_on(kafka, nsd.address, 2.0):
        yield service


@pytest.fixture(scope="module")
async def dns_down(kafka: str) -> AsyncIterator[Service]:
    """The configured nameserver takes queries and never answers: every lookup times out."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as hole:
        hole.bind(("127.0.0.1", 0))
        async for service in service_on(kafka, f"127.0.0.1:{hole.getsockname()[1]}", 0.5):
            yield service


def message(mid: str, sender: str = "Maria Jones <maria@example.test>") -> bytes:
    return (
        f"From: {sender}\r\nTo: support@{DOMAIN}\r\nSubject: Order 1234\r\n"
        f"Date: Tue, 24 Nov 2026 12:00:00 +0000\r\nMessage-ID: <{mid}@example.test>\r\n\r\n"
        "Where is my parcel?\r\n"
    ).encode()


def signed(raw: bytes, key: DkimKey, domain: str, selector: str = SELECTOR) -> bytes:
    header = dkim.sign(
        raw, selector.encode(), domain.encode(), key.private_pem, include_headers=SIGNED
    )
    return bytes(header) + raw


async def swaks(port: int, data: bytes, mail_from: str = "maria@example.test") -> None:
    proc = await asyncio.create_subprocess_exec(
        "swaks", "-s", "127.0.0.1", "-p", str(port), "-f", mail_from,
        "-t", f"support@{DOMAIN}", "--data", "-",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(proc.communicate(data), 30)
    assert proc.returncode == 0 and b"<-  250 2.0.0 OK" in out, out.decode()


async def delivered(kafka: str, service: Service, mid: str) -> events.MessageReceived:
    wanted = f"<{mid}@example.test>"
    found = []
    for record in await read_all(kafka, service.topic, timeout=5):
        event = events.decode(record.value or b"")
        if isinstance(event, events.MessageReceived) and event.provider_message_id == wanted:
            found.append(event)
    assert len(found) == 1, f"{wanted}: {len(found)} events"
    return found[0]


def results_header(event: events.MessageReceived) -> str:
    assert isinstance(event.content, events.EmailContent)
    return event.content.headers["Authentication-Results"]


async def test_aligned_signed_mail_is_dmarc_aligned(
    kafka: str, checked: Service, keys: dict[str, DkimKey]
) -> None:
    await swaks(checked.smtp_port, signed(message("ok-1"), keys["example.test"], "example.test"))
    event = await delivered(kafka, checked, "ok-1")
    (ident,) = event.sender.identifiers
    assert (ident.value, ident.verified, ident.level, ident.source) == (
        "maria@example.test",
        True,
        "dmarc_aligned",
        "smtp.dmarc",
    )
    assert event.sender.display_name == "Maria Jones"
    assert results_header(event) == (
        "hotline.localhost; dkim=pass header.d=example.test;"
        " dmarc=pass policy.dmarc=reject header.from=example.test"
    )


async def test_subdomain_sender_is_aligned_with_its_organizational_domain(
    kafka: str, checked: Service, keys: dict[str, DkimKey]
) -> None:
    raw = message("sub-1", "Maria <maria@mail.example.test>")  # relaxed: d=example.test aligns
    await swaks(checked.smtp_port, signed(raw, keys["example.test"], "example.test"))
    (ident,) = (await delivered(kafka, checked, "sub-1")).sender.identifiers
    assert (ident.value, ident.level) == ("maria@mail.example.test", "dmarc_aligned")


@pytest.mark.parametrize(
    ("mid", "reason"),
    [
        ("tamper-1", "body_hash_mismatch"),
        ("badsig-1", "bad_signature"),
        ("other-1", "not_aligned"),
        ("nodmarc-1", "no_dmarc_record"),
        ("unsigned-1", "no_signature"),
        ("nokey-1", "no_dkim_key"),
    ],
)
async def test_failed_checks_leave_the_sender_unverified_and_the_mail_ingested(
    kafka: str, checked: Service, keys: dict[str, DkimKey], mid: str, reason: str
) -> None:
    await swaks(checked.smtp_port, failing_mail(mid, keys))
    event = await delivered(kafka, checked, mid)
    (ident,) = event.sender.identifiers
    assert (ident.verified, ident.level, ident.source) == (False, "unverified", "smtp.from")
    assert f'reason="{reason}"' in results_header(event)


def failing_mail(mid: str, keys: dict[str, DkimKey]) -> bytes:
    own, other = keys["example.test"], keys["other.test"]
    if mid == "tamper-1":  # the body changed after signing
        return signed(message(mid), own, "example.test").replace(b"parcel", b"refund")
    if mid == "badsig-1":  # signed with a key that is not the published one
        return signed(message(mid), other, "example.test")
    if mid == "other-1":  # a valid signature, but by other.test for an example.test From
        return signed(message(mid), other, "other.test")
    if mid == "nodmarc-1":  # aligned and valid, but the domain publishes no DMARC record
        return signed(message(mid, "Maria <maria@nodmarc.test>"), own, "nodmarc.test")
    if mid == "nokey-1":  # no key published under this selector
        return signed(message(mid), own, "example.test", selector="gone")
    return message(mid)


async def test_metrics_count_each_outcome(kafka: str, checked: Service) -> None:
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{checked.url}/metrics")).text
    assert 'hotline_email_sender_checks_total{result="pass"}' in text
    assert 'hotline_email_sender_checks_total{result="body_hash_mismatch"}' in text


async def test_dns_timeout_leaves_the_sender_unverified_and_the_mail_ingested(
    kafka: str, dns_down: Service, keys: dict[str, DkimKey]
) -> None:
    await swaks(dns_down.smtp_port, signed(message("down-1"), keys["example.test"], "example.test"))
    event = await delivered(kafka, dns_down, "down-1")
    (ident,) = event.sender.identifiers
    assert (ident.verified, ident.level) == (False, "unverified")
    assert 'dkim=temperror reason="dns_timeout"' in results_header(event)
