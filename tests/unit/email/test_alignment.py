"""DMARC alignment, the DMARC record, the verdict and its Authentication-Results summary: pure
tables. ``SenderCheck`` runs on real dkimpy signatures with TXT answers from a dict (unit level;
the integration tests ask a real nsd)."""

from __future__ import annotations

from collections.abc import Callable

import dkim
import pytest

from email_ingest.alignment import DmarcRecord, Verdict, aligned, decide, org_domain, parse_record
from email_ingest.dns_txt import DnsFailure, Txt, server_address
from email_ingest.sender_auth import SenderCheck, signed
from email_ingest.settings import EmailSettings
from tests.dns_server import DkimKey, new_dkim_key


@pytest.mark.parametrize(
    ("domain", "org"),
    [
        ("example.test", "example.test"),  # a suffix the list does not know: its last label
        ("mail.example.test", "example.test"),
        ("a.b.example.co.uk", "example.co.uk"),
        ("co.uk", "co.uk"),
        ("EXAMPLE.COM.", "example.com"),
        ("a.x.github.io", "x.github.io"),  # a private suffix: github.io users are separate
        ("test", "test"),
    ],
)
def test_org_domain(domain: str, org: str) -> None:
    assert org_domain(domain) == org


@pytest.mark.parametrize(
    ("signer", "author", "mode", "expected"),
    [
        ("example.test", "example.test", "r", True),
        ("example.test", "example.test", "s", True),
        ("example.test", "mail.example.test", "r", True),
        ("mail.example.test", "example.test", "r", True),
        ("mail.example.test", "example.test", "s", False),
        ("Example.TEST.", "example.test", "s", True),
        ("other.test", "example.test", "r", False),
        ("test", "example.test", "r", False),  # a bare suffix is nobody's organization
        ("example.co.uk", "other.co.uk", "r", False),
        ("a.github.io", "b.github.io", "r", False),
        ("evil-example.test", "example.test", "r", False),
        ("", "example.test", "r", False),
    ],
)
def test_aligned(signer: str, author: str, mode: str, expected: bool) -> None:
    assert aligned(signer, author, mode) is expected


@pytest.mark.parametrize(
    ("txts", "expected"),
    [
        (["v=DMARC1; p=reject"], DmarcRecord("reject")),
        (["v=DMARC1;p=none;adkim=s"], DmarcRecord("none", "s")),
        (["v=DMARC1; p=Quarantine; adkim=x"], DmarcRecord("quarantine")),
        (["google-site-verification=abc", "v=DMARC1; p=none"], DmarcRecord("none")),
        (["v=DMARC1; p=reject", "v=DMARC1; p=none"], None),  # several records count as none
        (["v=DMARC1; rua=mailto:x@example.test"], None),  # no policy
        (["v=DMARC1; p=maybe"], None),
        (["p=reject; v=DMARC1"], None),  # v= must come first
        (["v=DMARC10; p=reject"], None),
        ([], None),
    ],
)
def test_parse_record(txts: list[str], expected: DmarcRecord | None) -> None:
    assert parse_record(txts) == expected


REJECT, STRICT = DmarcRecord("reject"), DmarcRecord("reject", "s")


@pytest.mark.parametrize(
    ("from_domain", "passing", "failure", "record", "aligned_", "reason"),
    [
        ("example.test", ["example.test"], "", REJECT, True, "pass"),
        ("example.test", ["other.test", "example.test"], "", REJECT, True, "pass"),
        ("mail.example.test", ["example.test"], "", REJECT, True, "pass"),
        ("mail.example.test", ["example.test"], "", STRICT, False, "not_aligned"),
        ("example.test", ["other.test"], "", REJECT, False, "not_aligned"),
        ("example.test", ["example.test"], "", None, False, "no_dmarc_record"),
        ("example.test", [], "body_hash_mismatch", REJECT, False, "body_hash_mismatch"),
        ("example.test", [], "no_signature", None, False, "no_signature"),
    ],
)
def test_decide(
    from_domain: str,
    passing: list[str],
    failure: str,
    record: DmarcRecord | None,
    aligned_: bool,
    reason: str,
) -> None:
    verdict = decide(from_domain, passing, failure, record)
    assert (verdict.aligned, verdict.reason) == (aligned_, reason)


@pytest.mark.parametrize(
    ("verdict", "header"),
    [
        (
            Verdict(True, "pass", "example.test", "example.test", "reject"),
            "mx; dkim=pass header.d=example.test; dmarc=pass policy.dmarc=reject"
            " header.from=example.test",
        ),
        (
            Verdict(False, "not_aligned", "example.test", "other.test", "none"),
            'mx; dkim=pass header.d=other.test; dmarc=fail reason="not_aligned"'
            " policy.dmarc=none header.from=example.test",
        ),
        (
            Verdict(False, "body_hash_mismatch", "example.test"),
            'mx; dkim=fail reason="body_hash_mismatch"; dmarc=fail reason="body_hash_mismatch"'
            " header.from=example.test",
        ),
        (
            Verdict(False, "dns_timeout"),
            'mx; dkim=temperror reason="dns_timeout"; dmarc=temperror reason="dns_timeout"',
        ),
        (
            Verdict(False, "no_dmarc_record", "example.test", "example.test"),
            'mx; dkim=pass header.d=example.test; dmarc=none reason="no_dmarc_record"'
            " header.from=example.test",
        ),
        (
            Verdict(False, "no_signature", "example.test"),
            'mx; dkim=none; dmarc=fail reason="no_signature" header.from=example.test',
        ),
    ],
)
def test_verdict_header(verdict: Verdict, header: str) -> None:
    assert verdict.header("mx") == header


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("127.0.0.1:5353", ("127.0.0.1", 5353)),
        ("127.0.0.1", ("127.0.0.1", 53)),
        ("[::1]:5353", ("::1", 5353)),
        ("[::1]", ("::1", 53)),
    ],
)
def test_server_address(text: str, address: tuple[str, int]) -> None:
    assert server_address(text) == address


@pytest.mark.parametrize("text", ["ns.example.test", "127.0.0.1:dns", "127.0.0.1:0", "[::1]x", ""])
def test_a_bad_dns_server_setting_is_refused_at_start(text: str) -> None:
    with pytest.raises(ValueError, match="dns_server"):
        EmailSettings(env="dev", dns_server=text or " ")


@pytest.fixture(scope="module")
def key() -> DkimKey:
    return new_dkim_key()


MAIL = (
    b"From: Maria <maria@example.test>\r\nTo: support@acme.test\r\nSubject: Hi\r\n"
    b"Message-ID: <u1@example.test>\r\n\r\nHello\r\n"
)


KEY_NAME, DMARC_NAME = "sel._domainkey.example.test", "_dmarc.example.test"


def zone(key: DkimKey, extra: dict[str, Txt] | None = None) -> Callable[[str], Txt]:
    """A TXT lookup from a dict; the value ["TIMEOUT"] stands for a resolver timeout."""
    records = {KEY_NAME: [key.txt()], DMARC_NAME: ["v=DMARC1; p=reject"], **(extra or {})}

    def txt(name: str) -> Txt:
        if records.get(name) == ["TIMEOUT"]:
            raise DnsFailure("dns_timeout", name)
        return records.get(name)

    return txt


def sign(raw: bytes, key: DkimKey, domain: str = "example.test") -> bytes:
    return bytes(dkim.sign(raw, b"sel", domain.encode(), key.private_pem)) + raw


def test_sender_check_passes_an_aligned_signature(key: DkimKey) -> None:
    verdict = SenderCheck(zone(key)).run(sign(MAIL, key))
    assert (verdict.aligned, verdict.reason, verdict.dkim_domain) == (True, "pass", "example.test")


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("tampered", "body_hash_mismatch"),
        ("unsigned", "no_signature"),
        ("key_timeout", "dns_timeout"),
        ("dmarc_timeout", "dns_timeout"),
        ("no_key", "no_dkim_key"),
        ("two_from", "no_single_from"),
        ("many_bad_signatures", "no_dkim_key"),
    ],
)
def test_sender_check_failures(key: DkimKey, case: str, reason: str) -> None:
    raw, records = sign(MAIL, key), zone(key)
    if case == "tampered":
        raw = raw.replace(b"Hello", b"Hallo")
    elif case == "unsigned":
        raw = MAIL
    elif case == "key_timeout":
        records = zone(key, {KEY_NAME: ["TIMEOUT"]})
    elif case == "dmarc_timeout":
        records = zone(key, {DMARC_NAME: ["TIMEOUT"]})
    elif case == "no_key":
        records = zone(key, {KEY_NAME: None})
    elif case == "two_from":
        raw = b"From: x@other.test\r\n" + raw
    elif case == "many_bad_signatures":  # the good one below five keyless ones is not reached
        bad = sign(MAIL, key).replace(b"s=sel", b"s=nope")
        raw = bad.split(b"\r\n\r\n")[0].split(b"From:")[0] * 5 + raw
    assert SenderCheck(records).run(raw).reason == reason


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"From: a@x.test\r\nDKIM-Signature: v=1; d=x.test\r\n\r\nbody", True),
        (b"From: a@x.test\ndkim-signature: v=1\n\nbody", True),
        (b"From: a@x.test\r\n\r\nDKIM-Signature: in the body is no signature", False),
        (b"From: a@x.test\r\nSubject: hi\r\n\r\nbody", False),
    ],
)
def test_only_mail_with_a_signature_header_is_checked(raw: bytes, expected: bool) -> None:
    assert signed(raw) is expected
