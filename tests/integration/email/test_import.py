"""``hotline import`` end to end: the command (run as a user runs it, a subprocess with the
``HOTLINE_*`` environment) streams an mbox of real mails and a poison mail into the session's
Kafka broker through email_ingest's own pipeline, and a real unifier stores them. Importing the
archive again stores nothing new — with the ledger nothing is even published; without it
(ledger lost, another machine) the same event ids are published again and the unifier drops
them."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from aiokafka import TopicPartition

from email_ingest.normalize import MailboxConfig, normalize
from hotline import events
from hotline.kafka.dlq import DLQ_HEADER_PREFIX
from hotline.topics import INBOUND_EMAIL
from tests.integration.unifier.harness import eventually, running, settings_for
from tests.kafka_helpers import end_offsets, read_all
from tests.mail_archives import corpus_mails, poison, write_maildir, write_mbox
from unifier.entrypoints.runtime import ConsumerRuntime
from unifier.store.schema import messages, offsets

DLQ = INBOUND_EMAIL + ".dlq"
HOTLINE = str(Path(sys.executable).with_name("hotline"))


def env_for(kafka: str, tenant: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "HOTLINE_ENV": "test",
        "HOTLINE_KAFKA_BOOTSTRAP": kafka,
        "HOTLINE_DEFAULT_TENANT": tenant,
        "HOTLINE_BLOB_DIR": str(tmp_path / "blobs"),
        "HOTLINE_WEBHOOK_SECRETS": '["import-test-webhook-secret-0123456789"]',
        "HOTLINE_ACK_TIMEOUT": "30",
    }


async def hotline(env: dict[str, str], *args: str) -> tuple[int, dict[str, Any], str]:
    proc = await asyncio.create_subprocess_exec(
        HOTLINE,
        *args,
        "--json",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode is not None
    summary = json.loads(out) if out.strip() else {}
    return proc.returncode, summary, err.decode()


def expected_ids(tenant: str, mails: list[bytes]) -> set[str]:
    """The event ids the pipeline itself gives these mails (the poison has none)."""
    config, now = MailboxConfig(tenant=tenant), datetime.now(UTC)
    return {normalize(raw, config, now).events[0].event_id for raw in mails}


async def tenant_events(kafka: str, tenant: str) -> list[events.MessageReceived]:
    got = [events.decode(r.value or b"") for r in await read_all(kafka, INBOUND_EMAIL)]
    return [e for e in got if isinstance(e, events.MessageReceived) and e.tenant == tenant]


async def stored(rt: ConsumerRuntime, tenant: str) -> int:
    async with rt.engine.connect() as conn:
        query = sa.select(sa.func.count()).where(messages.c.tenant == tenant)
        return int((await conn.execute(query)).scalar_one())


async def consumed_up_to(rt: ConsumerRuntime, ends: dict[TopicPartition, int]) -> bool:
    """The unifier committed every inbound email record up to ``ends``."""
    async with rt.engine.connect() as conn:
        rows = await conn.execute(
            sa.select(offsets.c.partition, offsets.c.next_offset).where(
                offsets.c.topic == INBOUND_EMAIL
            )
        )
        done = {p: n for p, n in rows}
    return all(done.get(tp.partition, 0) >= end for tp, end in ends.items())


async def test_import_an_mbox_then_again_stores_nothing_new(
    kafka: str, corpora: Path, tmp_path: Path
) -> None:
    tenant = "imp" + uuid.uuid4().hex[:8]
    mails = corpus_mails(corpora)
    archive = tmp_path / "history.mbox"
    # as stored: a mail without Message-ID is known by the hash of its bytes, and the mbox
    # writer gave a newline to those that lacked a final one
    ids = expected_ids(tenant, write_mbox(archive, [*mails, poison()], "mboxrd")[:-1])
    env, ledger = env_for(kafka, tenant, tmp_path), str(tmp_path / "ledger.ids")

    async with running(settings_for(kafka, f"sqlite:///{tmp_path}/unifier.db")) as rt:
        code, first, err = await hotline(env, "import", "mbox", str(archive), "--ledger", ledger)
        assert code == 0, err
        assert first["imported"] == len(ids) and first["tenant"] == tenant
        assert first["duplicates"] == len(mails) - len(ids)
        assert first["dead_lettered"] == {"mime_too_deep": 1}
        assert sorted(e.event_id for e in await tenant_events(kafka, tenant)) == sorted(ids)
        letters = [r for r in await read_all(kafka, DLQ) if r.value == poison()]
        reasons = [dict(r.headers)[DLQ_HEADER_PREFIX + "reason"] for r in letters]
        assert reasons == [b"mime_too_deep"]

        async def all_stored() -> bool:
            return await stored(rt, tenant) == len(ids)

        await eventually(all_stored, timeout=60)

        # again, with the ledger: skipped before publishing, nothing produced
        before = await end_offsets(kafka, INBOUND_EMAIL, DLQ)
        code, again, err = await hotline(env, "import", "mbox", str(archive), "--ledger", ledger)
        assert code == 0, err
        assert (again["imported"], again["already_seen"]) == (0, len(mails) + 1)
        assert await end_offsets(kafka, INBOUND_EMAIL, DLQ) == before

        # again, ledger lost: published again under the same ids, the unifier stores nothing
        fresh = str(tmp_path / "other-ledger.ids")
        code, lost, err = await hotline(env, "import", "mbox", str(archive), "--ledger", fresh)
        assert code == 0, err
        assert lost["imported"] == len(ids)
        republished = await tenant_events(kafka, tenant)
        assert len(republished) == 2 * len(ids) and {e.event_id for e in republished} == ids
        ends = await end_offsets(kafka, INBOUND_EMAIL)
        await eventually(lambda: consumed_up_to(rt, ends), timeout=60)
        assert await stored(rt, tenant) == len(ids)


async def test_import_a_maildir_and_a_dry_run(kafka: str, tmp_path: Path) -> None:
    tenant = "imd" + uuid.uuid4().hex[:8]
    mails = [
        f"From: p{n}@x.test\nSubject: {n}\nMessage-ID: <md{n}.{tenant}@x>\n\nHi {n}\n".encode()
        for n in range(3)
    ]
    root = write_maildir(tmp_path / "Maildir", mails[:2], "cur")
    write_maildir(root, mails[2:], "new")
    env, ledger = env_for(kafka, tenant, tmp_path), str(tmp_path / "ledger.ids")

    before = await end_offsets(kafka, INBOUND_EMAIL, DLQ)
    code, dry, err = await hotline(env, "import", "maildir", str(root), "--dry-run")
    assert code == 0, err
    assert (dry["dry_run"], dry["imported"]) == (True, 3)
    assert await end_offsets(kafka, INBOUND_EMAIL, DLQ) == before

    code, done, err = await hotline(env, "import", "maildir", str(root), "--ledger", ledger)
    assert code == 0, err
    assert done["imported"] == 3
    got = await tenant_events(kafka, tenant)
    assert sorted(e.event_id for e in got) == sorted(expected_ids(tenant, mails))
