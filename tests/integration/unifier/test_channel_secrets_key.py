"""The channel secrets key (HOTLINE_CHANNEL_SECRETS_KEY) in the unifier: outside dev without a
key no account is stored and an existing one stops the start, with a message naming the
variable; a new key listed first re-seals every value at start (the version moves, the change
goes to the outbox) and a key list that opens nothing stops the start."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline import unified as un
from hotline.accounts.sealing import Sealer, SealError
from tests.integration.unifier.harness import settings_for
from tests.integration.unifier.server import serving
from unifier.entrypoints.app import create_app
from unifier.entrypoints.runtime import load_channel_accounts
from unifier.service import channel_file, channel_keys
from unifier.store import channel_rows
from unifier.store.engine import create_engine
from unifier.store.schema import outbox

SQLITE = pytest.mark.parametrize("dsn", ["sqlite"], indirect=True)
OLD, NEW, STRANGER = (Fernet.generate_key().decode() for _ in range(3))
SECRET = f"s3cr3t-{uuid.uuid4().hex}"
TENANT = "acme"
BODY = {"kind": "sms", "account_id": "AC1", "name": "Twilio", "secrets": {"auth_token": SECRET}}


def app_with(kafka: str, dsn: str, key: str | None) -> FastAPI:
    return create_app(
        settings_for(
            kafka, dsn, consume=False, channel_secrets_key=key and SecretStr(key),
            api_tokens={TENANT: SecretStr("tok")},
        )
    )  # fmt: skip


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10, headers={"Authorization": "Bearer tok"}) as c:
        yield c


URL = f"/api/tenants/{TENANT}/channel-accounts"


async def create(kafka: str, dsn: str, key: str, client: httpx.AsyncClient) -> dict[str, Any]:
    app = app_with(kafka, dsn, key)
    async with serving(app) as base:
        res = await client.post(base + URL, json=BODY)
        assert res.status_code == 201, res.text
    return await stored(dsn)


async def stored(dsn: str) -> dict[str, Any]:
    engine = create_engine(dsn)
    try:
        async with engine.connect() as conn:
            row = await channel_rows.owner(conn, "sms", "AC1")
            kinds = (await conn.execute(sa.select(outbox.c.event_type))).scalars().all()
    finally:
        await engine.dispose()
    assert row is not None
    return row | {"announced": kinds.count("channel.account.changed.v1")}


async def started(app: FastAPI) -> None:
    async with app.router.lifespan_context(app):
        pass


async def refused_start(app: FastAPI, error: type[Exception]) -> None:
    with pytest.raises(error):
        async with app.router.lifespan_context(app):
            pass


@SQLITE
async def test_without_a_key_no_account_is_stored_and_an_existing_one_stops_the_start(
    kafka: str, dsn: str, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    async with serving(app_with(kafka, dsn, None)) as base:
        res = await client.post(base + URL, json=BODY)
        assert res.status_code == 503, res.text
        assert "HOTLINE_CHANNEL_SECRETS_KEY is not set" in res.json()["detail"]
        assert (await client.get(base + URL)).json() == []
    await create(kafka, dsn, NEW, client)
    caplog.set_level(logging.INFO)
    await refused_start(app_with(kafka, dsn, None), channel_keys.NoSecretsKey)
    assert "1 channel account(s) exist but HOTLINE_CHANNEL_SECRETS_KEY is not set" in caplog.text
    assert SECRET not in caplog.text and NEW not in caplog.text


async def test_a_file_without_a_key_is_refused_and_changes_nothing(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    entry = {"tenant": TENANT, "kind": "sms", "account_id": "AC9", "name": "n"}
    path = tmp_path / "channels.json"
    path.write_text(json.dumps({"accounts": [entry]}))
    with pytest.raises(channel_file.ChannelFileError, match="HOTLINE_CHANNEL_SECRETS_KEY"):
        await load_channel_accounts(engine, path, None)
    async with engine.connect() as conn:
        assert await channel_rows.every(conn) == []


@SQLITE
async def test_a_new_key_first_reseals_every_value_at_start(
    kafka: str, dsn: str, client: httpx.AsyncClient
) -> None:
    row = await create(kafka, dsn, OLD, client)
    [old_token] = [v["value"] for v in row["secrets"]["auth_token"]]
    assert (row["version"], row["announced"]) == (1, 1)
    for _ in range(2):  # the second start finds nothing to re-seal
        await started(app_with(kafka, dsn, f"{NEW},{OLD}"))
    row = await stored(dsn)
    [token] = [v["value"] for v in row["secrets"]["auth_token"]]
    assert token != old_token and Sealer([NEW]).open(token) == SECRET
    assert (row["version"], row["announced"]) == (2, 2)
    await started(app_with(kafka, dsn, NEW))  # the old key is no longer needed
    await refused_start(app_with(kafka, dsn, STRANGER), SealError)


async def test_the_file_puts_what_it_creates_or_changes_in_the_outbox_sealed(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    entry = {
        "tenant": TENANT, "kind": "sms", "account_id": "AC7", "name": "n",
        "secrets": {"auth_token": {"env": "HOTLINE_TEST_TWILIO"}},
    }  # fmt: skip
    path = tmp_path / "channels.json"
    sealer = Sealer([NEW])
    for name, value in [("a", SECRET), ("a", SECRET), ("b", SECRET), ("b", "rotated-" + SECRET)]:
        path.write_text(json.dumps({"accounts": [entry | {"name": name}]}))
        async with engine.begin() as conn:
            await channel_file.load(conn, path, {"HOTLINE_TEST_TWILIO": value}, sealer)
    async with engine.connect() as conn:
        payloads = (await conn.execute(sa.select(outbox.c.payload))).scalars().all()
    events = [un.decode(p) for p in payloads]
    assert all(isinstance(e, un.ChannelAccountChanged) for e in events)
    changes = [e for e in events if isinstance(e, un.ChannelAccountChanged)]
    # the second load changed nothing, so it announced nothing
    assert [(e.version, e.name) for e in changes] == [(1, "a"), (2, "b"), (3, "b")]
    opened = [[sealer.open(v) for v in e.secrets["auth_token"]] for e in changes]
    assert opened == [[SECRET], [SECRET], ["rotated-" + SECRET]]
    assert not any(SECRET.encode() in p for p in payloads)
