"""Benchmark plumbing: a dedicated broker with throughput JVM settings, and JSON results."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from hotline.kafka.admin import ensure_topics
from hotline.topics import load_topics
from hotline_tools.devstack.broker import BENCH_JVM, Broker, free_port

RESULTS = Path(__file__).parent / "results"


@contextmanager
def bench_broker() -> Iterator[Broker]:
    work = Path(tempfile.mkdtemp(prefix="hotline-bench-kafka-"))
    broker = Broker(work, free_port(), free_port(), jvm=tuple(BENCH_JVM))
    broker.start()
    asyncio.run(ensure_topics(broker.bootstrap, load_topics()))
    try:
        yield broker
    finally:
        broker.stop()
        shutil.rmtree(work, ignore_errors=True)


def write_result(name: str, doc: dict[str, object]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    doc = {
        "benchmark": name,
        "at": datetime.now(UTC).isoformat(),
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "python_prefix": sys.base_prefix,  # which build: Debian's (/usr) or another
            "platform": platform.platform(),
        },
        **doc,
    }
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(doc, indent=2) + "\n")
    return path
