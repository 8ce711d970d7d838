"""``hotline import calls`` end to end: the command, run as a user runs it (a subprocess with
the ``HOTLINE_*`` environment), streams a generated Master.csv of a few hundred rows into the
session's Kafka broker (``hotline.inbound.voice``, acks=all) and its bad rows into the DLQ.

Re-importing adds nothing, shown on the topic itself: with the ledger the second run says
"already imported" for every row and the topic's end offsets do not move; without the ledger
(lost, another machine) the same event ids are produced again, so the count of distinct event
ids on the topic is unchanged."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any

from bench.voice_import_bench import write_master_csv
from hotline import events
from hotline.kafka.dlq import DLQ_HEADER_PREFIX
from tests.kafka_helpers import end_offsets, read_all

TOPIC = "hotline.inbound.voice"
DLQ = TOPIC + ".dlq"
HOTLINE = str(Path(sys.executable).with_name("hotline"))
ROWS = 400


async def hotline(env: dict[str, str], *args: str) -> tuple[int, dict[str, Any], str]:
    proc = await asyncio.create_subprocess_exec(
        HOTLINE,
        "import",
        "calls",
        *args,
        "--json",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode is not None
    return proc.returncode, json.loads(out) if out.strip() else {}, err.decode()


async def tenant_events(kafka: str, tenant: str) -> list[events.Event]:
    got = [events.decode(r.value or b"") for r in await read_all(kafka, TOPIC)]
    return [e for e in got if getattr(e, "tenant", None) == tenant]


async def test_import_a_master_csv_then_again_adds_nothing(kafka: str, tmp_path: Path) -> None:
    tenant = "calls" + uuid.uuid4().hex[:8]
    path = tmp_path / "Master.csv"
    kinds = write_master_csv(path, ROWS, seed=7, prefix=tenant)
    calls = kinds["answered"] + kinds["unanswered"]
    expected_events = 3 * kinds["answered"] + 2 * kinds["unanswered"]
    env = {
        **os.environ,
        "HOTLINE_ENV": "test",
        "HOTLINE_KAFKA_BOOTSTRAP": kafka,
        "HOTLINE_DEFAULT_TENANT": tenant,
        "HOTLINE_ACK_TIMEOUT": "30",
    }
    ledger, args = str(tmp_path / "ledger.ids"), (str(path), "--region", "DE", "--batch", "64")

    code, first, err = await hotline(env, *args, "--ledger", ledger)
    assert code == 0, err
    assert (first["rows"], first["imported"], first["events"]) == (ROWS, calls, expected_events)
    assert first["skipped"] == {"internal_call": kinds["internal"]}
    assert first["dead_lettered"] == {"unknown_disposition": kinds["bad"]} and kinds["bad"] > 0
    got = await tenant_events(kafka, tenant)
    ids = {e.event_id for e in got}
    assert len(got) == len(ids) == expected_events
    by_step = {
        tag: sum(events.event_tag(e) == tag for e in got)
        for tag in ("call.started.v1", "call.answered.v1", "call.ended.v1")
    }
    assert by_step == {
        "call.started.v1": calls,
        "call.answered.v1": kinds["answered"],
        "call.ended.v1": calls,
    }
    letters = [r for r in await read_all(kafka, DLQ) if tenant.encode() in (r.value or b"")]
    reasons = {dict(r.headers)[DLQ_HEADER_PREFIX + "reason"] for r in letters}
    assert len(letters) == kinds["bad"] and reasons == {b"unknown_disposition"}

    # again, with the ledger: every row already imported, nothing produced
    before = await end_offsets(kafka, TOPIC, DLQ)
    code, again, err = await hotline(env, *args, "--ledger", ledger)
    assert code == 0, err
    assert (again["imported"], again["events"]) == (0, 0)
    assert again["already_imported"] == calls + kinds["bad"]
    assert await end_offsets(kafka, TOPIC, DLQ) == before

    # again, ledger lost: the same event ids produced again, no new distinct id
    code, lost, err = await hotline(env, *args, "--ledger", str(tmp_path / "other.ids"))
    assert code == 0, err
    assert lost["imported"] == calls
    republished = await tenant_events(kafka, tenant)
    assert len(republished) == 2 * expected_events
    assert {e.event_id for e in republished} == ids
