"""`rethread --rules VERSION`: replay the real inbound log into a shadow store, count the moves."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import sqlalchemy as sa

from tests.integration.unifier.harness import eventually, publish, running, settings_for
from tests.integration.unifier.test_unify_store import alice
from unifier.store.schema import messages


async def test_rethread_reports_the_messages_another_rule_set_would_move(
    kafka: str, tmp_path: Path
) -> None:
    tenant, dsn = "r" + uuid.uuid4().hex[:8], f"sqlite:///{tmp_path}/live.db"
    async with running(settings_for(kafka, dsn)) as rt:
        for n, event in enumerate(alice(tenant)[:3], 1):  # one person: email, widget, WhatsApp
            await publish(kafka, [event])

            async def arrived(n: int = n) -> bool:
                async with rt.engine.connect() as conn:
                    q = sa.select(sa.func.count()).where(messages.c.tenant == tenant)
                    return (await conn.execute(q)).scalar_one() == n

            await eventually(arrived)
    env = {**os.environ, "HOTLINE_DATABASE_URL": dsn, "HOTLINE_KAFKA_BOOTSTRAP": kafka}
    cmd = [sys.executable, "-m", "unifier.cli", "rethread", "--tenant", tenant, "--json"]

    def run(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([*cmd, *args], check=False, env=env, capture_output=True, timeout=120)

    same = run("--rules", "1")
    assert same.returncode == 0, same.stderr.decode()[-2000:]
    assert json.loads(same.stdout)["moved"] == 0  # the live rule set reproduces itself
    other = run("--rules", "2")
    report = json.loads(other.stdout)
    # rule set 2 groups by address + channel kind: the widget and WhatsApp messages move out
    assert (report["compared"], report["moved"]) == (3, 2)
    assert {e["live_rule"] for e in report["examples"]} == {"group.by_contact"}
    assert {e["shadow_rule"] for e in report["examples"]} == {"group.by_address_kind"}
    bad = run("--rules", "99")
    assert bad.returncode == 2 and b"unknown rule set" in bad.stderr
