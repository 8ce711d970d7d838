"""Seeded mutation fuzzing over the corpus: every mutant is an event or a reasoned dead letter,
never another exception, and never slow."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime
from pathlib import Path

from email_ingest.normalize import MailboxConfig, normalize
from hotline import events
from hotline.kafka.errors import PermanentError

MAILS = "mikel-mail/spec/fixtures/emails"
TOKENS = [
    b"\r\n", b"\n--", b"=?utf-8?B?", b"?=", b"<", b">", b'"', b"(", b";", b":", b"\x00", b"\xff",
    b"Content-Type: multipart/mixed; boundary=x\r\n", b"\r\n--x\r\n", b"\x1b$B",
    b"Content-Transfer-Encoding: base64\r\n", b'charset="iso-2022-jp"', b"filename*0*=utf-8''%E3",
]  # fmt: skip


def mutate(rng: random.Random, raw: bytes) -> bytes:
    data = bytearray(raw)
    for _ in range(rng.randint(1, 8)):
        pos = rng.randrange(len(data) + 1)
        action = rng.randrange(4)
        if action == 0 and data:
            data[min(pos, len(data) - 1)] = rng.randrange(256)
        elif action == 1:
            data[pos:pos] = rng.choice(TOKENS)
        elif action == 2:
            del data[pos : pos + rng.randint(1, 64)]
        else:
            data = data[:pos] if pos > 0 else data
    return bytes(data)


def test_mutants_never_crash_or_hang(corpora: Path) -> None:
    rng = random.Random(20261123)
    seeds = [p.read_bytes() for p in sorted((corpora / MAILS).rglob("*.eml"))]
    cfg, now = MailboxConfig(), datetime.now(UTC)
    slowest = 0.0
    for _ in range(3000):
        raw = mutate(rng, rng.choice(seeds))
        start = time.thread_time()
        try:
            for event in normalize(raw, cfg, now).events:
                events.decode(events.encode(event))
        except PermanentError as exc:
            assert exc.reason
        slowest = max(slowest, time.thread_time() - start)
    assert slowest < 0.5
