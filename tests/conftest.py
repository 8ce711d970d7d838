"""Session fixtures shared by every test tier.

``kafka``: a real Kafka 4.x KRaft broker of our own (own ports, own data dir), started once
per test session from deploy/kafka (jars fetched with Maven if missing) and stopped at the end.
It is never skipped: if the broker cannot start, the tests that need it fail.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from hotline.kafka.admin import ensure_topics
from hotline.topics import load_topics
from hotline_tools.devstack.broker import Broker, free_port
from tests.schedule import slowest_first

REPO = Path(__file__).resolve().parents[1]
# The suite runs as a developer's machine does (`make run` sets the same): the settings' own
# default is prod, which refuses the placeholder secrets; tests of prod behaviour set it.
os.environ.setdefault("HOTLINE_ENV", "dev")
pytest_plugins = ["tests.s3"]  # s3_server, s3_bucket: a real S3-compatible server


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The slowest files first (tests/schedule.py): xdist hands files out in this order."""
    slowest_first(items)


@pytest.fixture(scope="session")
def corpora() -> Path:
    """The third-party corpora beside the repo (read at test time, never copied)."""
    path = Path(os.environ.get("HOTLINE_CORPORA", REPO.parent / "shared" / "corpora"))
    assert path.is_dir(), f"corpora not found at {path}"
    return path


@pytest.fixture(scope="session")
def kafka_broker() -> Iterator[Broker]:
    work = Path(tempfile.mkdtemp(prefix="hotline-kafka-"))
    broker = None
    for _ in range(3):  # free ports are racy: retry with new ones if the JVM exits at start
        broker = Broker(work / f"b{free_port()}", free_port(), free_port())
        try:
            broker.start()
            break
        except RuntimeError:
            broker = None
    assert broker is not None, "Kafka broker did not start; see logs under " + str(work)
    asyncio.run(ensure_topics(broker.bootstrap, load_topics()))
    try:
        yield broker
    finally:
        broker.stop()
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="session")
def kafka(kafka_broker: Broker) -> str:
    """Bootstrap address ("127.0.0.1:PORT") of the session's real broker, topics created."""
    return kafka_broker.bootstrap
