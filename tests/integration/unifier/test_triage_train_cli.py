"""`hotline triage train`: trains the tenants labelled since their last model, stores each as the
next version, and trains none on too few labels (a real SQLite store)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from typer.testing import CliRunner

from tests.integration.unifier.harness import decide_batch
from tests.unit.unifier.factory import ident, message
from unifier.entrypoints.triage_cli import triage
from unifier.store import triage_rows
from unifier.store.engine import create_engine, migrate

TEXTS = {"shipping": ["parcel late", "package lost", "delivery missing", "where is my parcel"],
         "login": ["cannot log in", "password reset", "account locked", "login fails"]}  # fmt: skip


async def labelled(dsn: str, tenant: str, count: int) -> None:
    engine = create_engine(dsn)
    await migrate(engine)
    examples = [(t, c) for c, ts in TEXTS.items() for t in ts] * 2
    for n, (text, category) in enumerate(examples[:count]):
        who = f"c{n}@example.test"
        event = message(f"m{n}", tenant=tenant, handle=who, ids=[ident("email", who)], text=text)
        plan = await decide_batch(engine, tenant, [event])
        async with engine.begin() as conn:
            tid = plan.messages[0].thread_id
            await triage_rows.label_category(conn, tenant, tid, category, "agent:1")
    await engine.dispose()


def run(dsn: str, *args: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(triage, ["train", *args], env={"HOTLINE_DATABASE_URL": dsn})
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def test_train_due_tenants_then_nothing_new(tmp_path: Path) -> None:
    """Synchronous: the command runs its own event loop, as from a shell."""
    dsn = f"sqlite:///{tmp_path}/u.db"
    asyncio.run(labelled(dsn, "acme", 16))
    asyncio.run(labelled(dsn, "tiny", 4))
    found = sorted(run(dsn), key=lambda r: str(r["tenant"]))
    assert found == [
        {"tenant": "acme", "version": 1, "examples": 16, "trained": True},
        {"tenant": "tiny", "version": None, "examples": 4, "trained": False},
    ]
    assert run(dsn, "--tenant", "acme")[0]["version"] == 2  # on demand: the next version
    assert [r["tenant"] for r in run(dsn)] == ["tiny"]  # acme: nothing labelled since
