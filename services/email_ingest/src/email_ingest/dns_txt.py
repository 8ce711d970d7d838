"""TXT lookups for the sender check: a configurable nameserver, a short cache.

TXT answers (also "no such name") are cached for ``cache_s``; failures (timeout, refused,
SERVFAIL) are not, and raise ``DnsFailure`` with the reason the verdict records.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from dataclasses import dataclass

import dns.exception
import dns.resolver

Txt = list[str] | None  # the TXT strings of a name; None: no such name or no TXT


class DnsFailure(Exception):
    """The resolver gave no answer: ``reason`` is dns_timeout or dns_error (refused, SERVFAIL)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


@dataclass(frozen=True)
class DnsConfig:
    server: str | None = None  # "ip[:port]"; None: the system resolver
    timeout_s: float = 3.0
    cache_s: float = 300.0
    cache_max: int = 4096


class TxtCache:
    """TXT lookups through the configured nameserver, with a small time-bounded cache."""

    def __init__(self, config: DnsConfig) -> None:
        self.config = config
        self.resolver = _resolver(config)
        self._cache: dict[str, tuple[float, Txt]] = {}
        self._lock = threading.Lock()

    def lookup(self, name: str) -> Txt:
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(name)
        if hit and hit[0] > now:
            return hit[1]
        found = self._query(name)
        with self._lock:
            if len(self._cache) >= self.config.cache_max:
                self._cache.clear()
            self._cache[name] = (now + self.config.cache_s, found)
        return found

    def _query(self, name: str) -> Txt:
        try:
            answer = self.resolver.resolve(name, "TXT", lifetime=self.config.timeout_s)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return None
        except dns.exception.Timeout as exc:
            raise DnsFailure("dns_timeout", f"{name}: {exc}") from exc
        except dns.exception.DNSException as exc:  # refused, SERVFAIL, no nameserver answered
            raise DnsFailure("dns_error", f"{name}: {type(exc).__name__}") from exc
        return [b"".join(r.strings).decode("utf-8", "replace") for r in answer]


def _resolver(config: DnsConfig) -> dns.resolver.Resolver:
    if not config.server:
        return dns.resolver.Resolver()
    host, port = server_address(config.server)
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [host]
    resolver.port = port
    return resolver


def server_address(text: str) -> tuple[str, int]:
    """``"127.0.0.1:5353"``, ``"127.0.0.1"`` (port 53) or ``"[::1]:5353"`` -> (ip, port);
    ValueError for anything else (a host name included: the nameserver is given by address)."""
    text = text.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest.removeprefix(":") if rest else "53"
    elif text.count(":") == 1:
        host, _, port = text.partition(":")
    else:
        host, port = text, "53"
    ipaddress.ip_address(host)  # raises ValueError
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"not a port: {port!r}")
    return host, int(port)
