"""DMARC identifier alignment (RFC 7489 §3.1) and the DMARC record: pure, table-tested.

A sender is ``dmarc_aligned`` when a DKIM signature verified, its ``d=`` is aligned with the
From domain under the domain's DMARC ``adkim`` mode (relaxed: same organizational domain;
strict: the same domain), and the From domain (or its organizational domain) publishes exactly
one valid DMARC record. The organizational domain is the public suffix (the Public Suffix List
that authheaders ships) plus one label; a name under a suffix the list does not know has its
last label as the suffix (the list's implicit ``*`` rule), so ``mail.example.test`` belongs to
``example.test``, never to ``test``.
"""

from __future__ import annotations

import importlib.resources
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from authheaders.dmarc_lookup import PublicSuffixList  # publicsuffix2, as authheaders uses it

_VERSION = re.compile(r"^v\s*=\s*DMARC1\s*(?:;|$)")
_POLICIES = frozenset({"none", "quarantine", "reject"})


@dataclass(frozen=True)
class DmarcRecord:
    policy: str  # none | quarantine | reject
    adkim: str = "r"  # r (relaxed) | s (strict)


@dataclass(frozen=True)
class Verdict:
    """Our own check of one mail's sender: aligned or the reason it is not."""

    aligned: bool
    reason: str  # "pass", or why not: no_signature, body_hash_mismatch, not_aligned, ...
    from_domain: str | None = None
    dkim_domain: str | None = None  # the d= of the aligned (or first passing) signature
    policy: str | None = None

    def header(self, authserv_id: str) -> str:
        """An RFC 8601 ``Authentication-Results`` value summarising this verdict."""
        dkim = "dkim=none"
        if self.dkim_domain:
            dkim = f"dkim=pass header.d={self.dkim_domain}"
        elif self.reason in _DKIM_FAILURES:
            dkim = f'dkim={_DKIM_FAILURES[self.reason]} reason="{self.reason}"'
        dmarc = "pass" if self.aligned else _DMARC_RESULTS.get(self.reason, "fail")
        detail = f" policy.dmarc={self.policy}" if self.policy else ""
        why = "" if self.aligned else f' reason="{self.reason}"'
        author = f" header.from={self.from_domain}" if self.from_domain else ""
        return f"{authserv_id}; {dkim}; dmarc={dmarc}{why}{detail}{author}"


_DMARC_RESULTS = {"no_dmarc_record": "none", "dns_error": "temperror", "dns_timeout": "temperror"}
_DKIM_FAILURES = {  # reason -> RFC 8601 dkim result
    "bad_signature": "fail",
    "body_hash_mismatch": "fail",
    "no_dkim_key": "permerror",
    "dns_error": "temperror",
    "dns_timeout": "temperror",
}


def parse_record(txts: list[str]) -> DmarcRecord | None:
    """The DMARC record among a name's TXT strings; None for none, several or an invalid one."""
    found = [t.strip() for t in txts if _VERSION.match(t.strip())]
    if len(found) != 1:
        return None  # RFC 7489 §6.6.3: several records count as none
    tags: dict[str, str] = {}
    for item in found[0].split(";"):
        name, eq, value = item.partition("=")
        if eq:
            tags.setdefault(name.strip().lower(), value.strip().lower())
    if tags.get("p", "") not in _POLICIES:
        return None
    adkim = tags.get("adkim", "r")
    return DmarcRecord(tags["p"], adkim if adkim in ("r", "s") else "r")


@cache
def _suffixes() -> Any:
    ref = importlib.resources.files("authheaders") / "public_suffix_list.txt"
    with importlib.resources.as_file(ref) as path, open(path, encoding="utf-8") as fh:
        return PublicSuffixList(fh)


def clean(domain: str) -> str:
    return domain.strip().lower().rstrip(".")


def org_domain(domain: str) -> str:
    """The organizational domain: the public suffix plus one label."""
    name = clean(domain)
    suffix = _suffixes().get_tld(name) or name.rpartition(".")[2]
    if name == suffix or not name.endswith("." + suffix):
        return name
    return name[: -len(suffix) - 1].rpartition(".")[2] + "." + suffix


def aligned(dkim_domain: str, from_domain: str, mode: str = "r") -> bool:
    """RFC 7489 §3.1.1: strict is the same name, relaxed the same organizational domain."""
    signer, author = clean(dkim_domain), clean(from_domain)
    if not signer or not author:
        return False
    if mode == "s":
        return signer == author
    return org_domain(signer) == org_domain(author)


def decide(
    from_domain: str, passing: list[str], failure: str, record: DmarcRecord | None
) -> Verdict:
    """The verdict from the signatures that verified (their d=), the reason the others failed,
    and the From domain's DMARC record."""
    if not passing:
        return Verdict(False, failure, from_domain)
    if record is None:
        return Verdict(False, "no_dmarc_record", from_domain, passing[0])
    for domain in passing:
        if aligned(domain, from_domain, record.adkim):
            return Verdict(True, "pass", from_domain, domain, record.policy)
    return Verdict(False, "not_aligned", from_domain, passing[0], record.policy)
