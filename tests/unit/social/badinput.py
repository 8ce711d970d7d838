"""Bad-input tables: requests that must get exactly the expected 4xx and produce nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import httpx

Signer = Callable[[bytes], dict[str, str]]
MALFORMED = [
    b"",
    b"{",
    b"not json",
    b"[1,2",
    b"\xff\xfe\x00",
    b"{'a': 1}",
    b'{"a":1} trailing',
    b"nul\x00l",
    b'{"a":}',
    b"\x1f\x8b\x08compressed",
    b'{"object":"x",}',
    b"}{",
]
NOT_OBJECTS = [b"[]", b"1", b'"text"', b"null", b"true", b"[{}]"]


@dataclass
class Case:
    name: str
    status: int
    method: str = "POST"
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    chunked: bool = False

    async def send(self, client: httpx.AsyncClient, path: str) -> httpx.Response:
        if self.method == "GET":
            return await client.get(path, params=self.params, headers=self.headers)
        content = _chunks(self.body) if self.chunked else self.body
        return await client.request(
            self.method, path, content=content, params=self.params, headers=self.headers
        )


async def _chunks(body: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def signature_cases(good: bytes, header: str, sign: Signer, *, wrong: Signer) -> list[Case]:
    """Missing, empty, wrong-secret, other-body, flipped-byte and mangled signatures -> 401."""
    proper = sign(good)[header]
    flipped = bytearray(good)
    flipped[len(good) // 2] ^= 0x01
    cases = [
        Case("missing signature", 401, body=good),
        Case("empty signature", 401, body=good, headers={header: ""}),
        Case("wrong secret", 401, body=good, headers=wrong(good)),
        Case("signature of another body", 401, body=good, headers=sign(good + b" ")),
        Case("flipped byte in body", 401, body=bytes(flipped), headers={header: proper}),
        Case("truncated signature", 401, body=good, headers={header: proper[:-2]}),
        Case("signature with suffix", 401, body=good, headers={header: proper + "00"}),
        Case("prefix only", 401, body=good, headers={header: proper[:7]}),
        Case("garbage signature", 401, body=good, headers={header: "sha256=zzzz"}),
        Case("body appended", 401, body=good + b"\n", headers={header: proper}),
        Case("body truncated", 401, body=good[:-1], headers={header: proper}),
        Case("unsigned malformed", 401, body=b"{", headers={}),
    ]
    return cases


def decoding_cases(sign: Signer) -> list[Case]:
    """Signed but not JSON -> 400; signed JSON that is not an object -> 422."""
    cases = [Case(f"malformed {b[:12]!r}", 400, body=b, headers=sign(b)) for b in MALFORMED]
    cases += [Case(f"not an object {b!r}", 422, body=b, headers=sign(b)) for b in NOT_OBJECTS]
    return cases


def oversize_cases(limit: int, sign: Signer) -> list[Case]:
    big = b'{"object":"' + b"x" * (limit + 10) + b'"}'
    return [
        Case("oversize signed", 413, body=big, headers=sign(big)),
        Case("oversize unsigned", 413, body=big),
        Case("oversize chunked, no length", 413, body=big, headers=sign(big), chunked=True),
    ]


def schema_cases(bodies: dict[str, bytes], sign: Signer) -> list[Case]:
    return [Case(f"schema: {name}", 422, body=b, headers=sign(b)) for name, b in bodies.items()]
