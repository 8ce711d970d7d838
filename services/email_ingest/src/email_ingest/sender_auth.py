"""Our own DKIM + DMARC check of mail that reaches the SMTP intake (dkimpy, dnspython).

DNS-bound (``dns_txt.py``), so it runs in a worker thread under an overall timeout. Any
failure gives an unaligned verdict with its reason; the mail is ingested either way. Alignment
itself is ``alignment.py``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import dkim
from prometheus_client import CollectorRegistry, Counter

from email_ingest.addresses import parse_addresses
from email_ingest.alignment import DmarcRecord, Verdict, decide, org_domain, parse_record
from email_ingest.dns_txt import DnsConfig, DnsFailure, Txt, TxtCache
from email_ingest.headers import raw_text

log = logging.getLogger(__name__)
MAX_SIGNATURES = 5  # checked per mail, top first: a mail with hundreds costs no more DNS


class SenderCheck:
    """One mail: verify its DKIM signatures, then the From domain's DMARC alignment."""

    def __init__(self, txt: Callable[[str], Txt], min_key_bits: int = 1024) -> None:
        self.txt = txt
        self.min_key_bits = min_key_bits
        self.dns_failure: str | None = None
        self.key_missing = False

    def run(self, raw: bytes) -> Verdict:
        try:
            signer = dkim.DKIM(raw, minkey=self.min_key_bits)
        except dkim.DKIMException:
            return Verdict(False, "malformed")
        from_domain = _from_domain(signer.headers)
        if from_domain is None:
            return Verdict(False, "no_single_from")
        passing, failure = self._signatures(signer)
        try:
            record = self._record(from_domain) if passing else None
        except DnsFailure as exc:
            return Verdict(False, exc.reason, from_domain, passing[0])
        return decide(from_domain, passing, failure, record)

    def _signatures(self, signer: dkim.DKIM) -> tuple[list[str], str]:
        count = sum(1 for name, _ in signer.headers if name.lower() == b"dkim-signature")
        passing: list[str] = []
        failure = "no_signature"
        for idx in range(min(count, MAX_SIGNATURES)):
            self.dns_failure, self.key_missing = None, False
            try:
                ok = signer.verify(idx, dnsfunc=self._dkim_key)
            except dkim.ValidationError as exc:
                ok, failure = False, _validation_reason(exc)
            except dkim.DKIMException:
                ok, failure = False, "bad_signature"
            else:
                failure = failure if ok else self._false_reason()
            if ok:
                passing.append(signer.domain.decode("ascii", "replace").lower())
        return passing, failure

    def _false_reason(self) -> str:
        if self.dns_failure:
            return self.dns_failure
        return "no_dkim_key" if self.key_missing else "bad_signature"

    def _dkim_key(self, name: bytes, timeout: float = 5) -> bytes | None:
        """dkimpy's DNS hook: the first TXT string of ``<s>._domainkey.<d>``."""
        try:
            found = self.txt(name.decode("ascii", "replace").rstrip("."))
        except DnsFailure as exc:
            self.dns_failure = exc.reason
            raise dkim.DnsTimeoutError(str(exc)) from exc
        self.key_missing = not found
        return found[0].encode() if found else None

    def _record(self, from_domain: str) -> DmarcRecord | None:
        record = parse_record(self.txt(f"_dmarc.{from_domain}") or [])
        org = org_domain(from_domain)
        if record is None and org != from_domain:
            record = parse_record(self.txt(f"_dmarc.{org}") or [])
        return record


def _validation_reason(exc: Exception) -> str:
    return "body_hash_mismatch" if "body hash mismatch" in str(exc) else "bad_signature"


def _from_domain(headers: list[tuple[bytes, bytes]]) -> str | None:
    values = [v for name, v in headers if name.lower() == b"from"]
    if len(values) != 1:
        return None
    parsed = parse_addresses(raw_text(values[0]).strip())
    if parsed.defects or len(parsed.addresses) != 1:
        return None
    return parsed.addresses[0].domain


class SenderAuth:
    """The async face: one verdict per mail, off the event loop, bounded in time."""

    def __init__(
        self, config: DnsConfig, authserv_id: str, registry: CollectorRegistry | None = None
    ) -> None:
        self.config = config
        self.authserv_id = authserv_id
        self.cache = TxtCache(config)
        self.results = Counter(
            "hotline_email_sender_checks",
            "Our own DKIM/DMARC checks of SMTP mail, by outcome (pass or the failure reason)",
            ["result"],
            registry=registry or CollectorRegistry(),
        )

    async def check(self, raw: bytes) -> Verdict:
        verdict = await self._verdict(raw) if signed(raw) else Verdict(False, "no_signature")
        self.results.labels(verdict.reason).inc()
        log.info(
            "sender check",
            extra={"from": verdict.from_domain, "d": verdict.dkim_domain, "reason": verdict.reason},
        )
        return verdict

    async def _verdict(self, raw: bytes) -> Verdict:
        work = asyncio.to_thread(SenderCheck(self.cache.lookup).run, raw)
        try:  # a few lookups per mail: key(s), _dmarc.<from>, _dmarc.<org domain>
            return await asyncio.wait_for(work, self.config.timeout_s * 4)
        except TimeoutError:
            return Verdict(False, "dns_timeout")
        except Exception:  # a crash in a library must not lose the mail
            log.exception("sender check crashed")
            return Verdict(False, "check_crashed")


def signed(raw: bytes) -> bool:
    """Whether the header section names a DKIM-Signature: unsigned mail (most of it) needs no
    worker thread and no DNS."""
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    return b"dkim-signature:" in head.lower()
