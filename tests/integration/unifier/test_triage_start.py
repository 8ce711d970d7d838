"""The language model loads when the unifier starts, not at its first message: a load at the
first message (lingua's models held the GIL for seconds) froze the whole process (requests, the
assigner, the SLA scheduler) inside the consumer's transaction. A fresh interpreter builds
triage as the runtime does, then detects a first message while a ticker runs on its event
loop."""

from __future__ import annotations

import json
import subprocess
import sys

FIRST_MESSAGE = """
import asyncio, json, resource, time
from unifier.entrypoints.runtime import triage_of
from unifier.settings import UnifierSettings


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


async def main() -> None:
    triage = triage_of(UnifierSettings(env="test"))
    ticks: list[float] = []

    async def ticker() -> None:
        while True:
            ticks.append(time.monotonic())
            await asyncio.sleep(0.01)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.05)
    before, start = rss_mib(), time.monotonic()
    await asyncio.to_thread(triage.detector.detect, ["Bonjour, ma commande n'est pas arrivee"])
    end = time.monotonic()
    task.cancel()
    stamps = [start, *(t for t in ticks if start < t < end), end]
    stall = max(b - a for a, b in zip(stamps, stamps[1:]))
    print(json.dumps({"stall_s": stall, "grew_mib": rss_mib() - before}))


asyncio.run(main())
"""


def test_the_first_message_loads_no_model_and_freezes_nothing() -> None:
    done = subprocess.run(
        [sys.executable, "-c", FIRST_MESSAGE],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["grew_mib"] < 50, found  # loaded lazily, lingua's models took some 250 MiB
    assert found["stall_s"] < 1.0, found  # loaded lazily, lingua's: 2 to 6 s without a tick
