"""`hotline create-agent`: the password from stdin (never argv), a migrated store, and an agent
who can then sign in; a weak password or a taken email is refused and creates nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from unifier.domain.accounts import AccountPolicy
from unifier.service import accounts
from unifier.store.engine import create_engine
from unifier.store.schema_accounts import agents

PASSWORD = "a password long enough"

# Over HTTP on one database (sqlite): the SQL underneath is tested on both by the store-level
# tests; the API files alternate between the two so each is also served end to end.
pytestmark = pytest.mark.parametrize("dsn", ["sqlite"], indirect=True)


def create(dsn: str, email: str, password: str) -> subprocess.CompletedProcess[str]:
    args = ["--tenant", "acme", "--email", email, "--name", "Ana", "--role", "admin"]
    return subprocess.run(
        [sys.executable, "-m", "hotline.cli", "create-agent", *args],
        input=password + "\n",
        env={**os.environ, "HOTLINE_DATABASE_URL": dsn, "HOTLINE_ENV": "test"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_create_agent_from_the_command_line(dsn: str) -> None:
    made = create(dsn, "Ana@Acme.example", PASSWORD)
    assert made.returncode == 0, made.stderr
    assert "created admin ana@acme.example" in made.stdout and PASSWORD not in made.stdout
    weak = create(dsn, "bob@acme.example", "short")
    assert weak.returncode == 2 and "at least 12 characters" in weak.stderr
    taken = create(dsn, "ana@acme.example", PASSWORD)
    assert taken.returncode == 2 and "exists" in taken.stderr
    engine = create_engine(dsn)
    try:
        async with engine.begin() as conn:
            emails = [r[0] for r in await conn.execute(sa.select(agents.c.email))]
            agent = await accounts.sign_in(
                conn, "ana@acme.example", PASSWORD, datetime.now(UTC), AccountPolicy()
            )
    finally:
        await engine.dispose()
    assert emails == ["ana@acme.example"]
    assert (agent.tenant, agent.role, agent.name) == ("acme", "admin", "Ana")
