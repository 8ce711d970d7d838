"""Channel accounts: the admin API over HTTP (postgresql) and the declarative file (both
databases). An account routes to one tenant only (409 across tenants); only admins manage them;
a secret keeps at most two values, newest first; no secret value is ever in an answer or a log;
the file is applied idempotently, and a bad file or bad input is refused and changes nothing."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.unifier.harness import SEALER, settings_for
from tests.integration.unifier.server import serving
from tests.workspace import create_agent, sign_in_client
from unifier.entrypoints.app import create_app
from unifier.entrypoints.runtime import load_channel_accounts
from unifier.service import channel_accounts, channel_file
from unifier.store import channel_rows

PG = pytest.mark.parametrize("dsn", ["postgresql"], indirect=True)
SECRET_1, SECRET_2, SECRET_3 = (f"s3cr3t-{i}-{uuid.uuid4().hex}" for i in (1, 2, 3))


@dataclass
class Api:
    client: httpx.AsyncClient
    app: FastAPI
    base: str
    tenant: str
    other: str

    def url(self, tenant: str | None = None, path: str = "") -> str:
        return f"/api/tenants/{tenant or self.tenant}/channel-accounts{path}"

    @property
    def tenants(self) -> tuple[str, str]:
        return self.tenant, self.other

    def auth(self, tenant: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer tok-{tenant or self.tenant}"}


@pytest.fixture
async def api(kafka: str, dsn: str) -> AsyncIterator[Api]:
    tenant, other = "t" + uuid.uuid4().hex[:8], "o" + uuid.uuid4().hex[:8]
    tokens = {t: SecretStr("tok-" + t) for t in (tenant, other)}
    app = create_app(settings_for(kafka, dsn, api_tokens=tokens, consume=False))
    async with serving(app) as base, httpx.AsyncClient(base_url=base, timeout=10) as client:
        yield Api(client, app, base, tenant, other)


def account(account_id: str = "106540352242922", **extra: Any) -> dict[str, Any]:
    return {
        "kind": "whatsapp",
        "account_id": account_id,
        "name": "Support +1 555 0100",
        "settings": {"graph_version": "v21.0"},
        "secrets": {"app_secret": SECRET_1},
    } | extra


def no_secret_in(*texts: str) -> None:
    for text in texts:
        for secret in (SECRET_1, SECRET_2, SECRET_3):
            assert secret not in text


async def stored(app: FastAPI, kind: str, account_id: str) -> dict[str, Any] | None:
    async with app.state.runtime.engine.connect() as conn:
        return await channel_rows.owner(conn, kind, account_id)


@PG
async def test_crud_and_rotation_never_show_a_secret(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    c, seen = api.client, []
    created = await c.post(api.url(), json=account(), headers=api.auth())
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["tenant"], body["version"], body["enabled"]) == (api.tenant, 1, True)
    assert body["secrets"]["app_secret"]["values"] == 1
    one = api.url(path="/whatsapp/106540352242922")
    changed = await c.patch(one, json={"name": "Sales", "enabled": False}, headers=api.auth())
    assert changed.status_code == 200, changed.text
    assert (changed.json()["name"], changed.json()["enabled"]) == ("Sales", False)
    assert changed.json()["settings"] == {"graph_version": "v21.0"}  # untouched
    assert changed.json()["version"] == 2
    for value in (SECRET_2, SECRET_3):
        rotated = await c.post(
            f"{one}/secrets/app_secret", json={"value": value}, headers=api.auth()
        )
        assert rotated.status_code == 201, rotated.text
        seen.append(rotated.text)
    assert rotated.json()["secrets"]["app_secret"]["values"] == 2
    row = await stored(api.app, "whatsapp", "106540352242922")
    assert row is not None and row["version"] == 4
    assert channel_accounts.secret_values(row, SEALER) == {"app_secret": [SECRET_3, SECRET_2]}
    retired = await c.delete(f"{one}/secrets/app_secret/1", headers=api.auth())
    assert retired.json()["secrets"]["app_secret"]["values"] == 1
    row = await stored(api.app, "whatsapp", "106540352242922")
    assert row is not None and channel_accounts.secret_values(row, SEALER) == {
        "app_secret": [SECRET_3]
    }
    listed, got = await c.get(api.url(), headers=api.auth()), await c.get(one, headers=api.auth())
    assert [a["account_id"] for a in listed.json()] == ["106540352242922"]
    assert got.json()["secrets"]["app_secret"]["values"] == 1
    no_secret_in(created.text, changed.text, retired.text, listed.text, got.text, *seen)
    assert (await c.delete(one, headers=api.auth())).status_code == 204
    assert (await c.get(one, headers=api.auth())).status_code == 404
    assert await stored(api.app, "whatsapp", "106540352242922") is None
    no_secret_in(caplog.text)


@PG
async def test_one_provider_account_routes_to_one_tenant(api: Api) -> None:
    c = api.client
    assert (await c.post(api.url(), json=account(), headers=api.auth())).status_code == 201
    again = await c.post(api.url(api.other), json=account(), headers=api.auth(api.other))
    assert again.status_code == 409, again.text
    mine = await c.post(api.url(), json=account(), headers=api.auth())
    assert mine.status_code == 409
    theirs = await c.get(api.url(api.other), headers=api.auth(api.other))
    assert theirs.json() == []
    other_one = api.url(api.other, "/whatsapp/106540352242922")
    assert (await c.get(other_one, headers=api.auth(api.other))).status_code == 404
    assert (await c.delete(other_one, headers=api.auth(api.other))).status_code == 404
    cross = await c.get(api.url(api.other), headers=api.auth())
    assert cross.status_code == 403
    row = await stored(api.app, "whatsapp", "106540352242922")
    assert row is not None and row["tenant"] == api.tenant


@PG
async def test_two_tenants_claiming_one_account_at_once_get_one_201_and_one_409(api: Api) -> None:
    ids = [f"concurrent-{i}" for i in range(5)]
    for account_id in ids:
        body = account(account_id)
        answers = await asyncio.gather(
            *(api.client.post(api.url(t), json=body, headers=api.auth(t)) for t in api.tenants)
        )
        assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
        row = await stored(api.app, "whatsapp", account_id)
        winner = next(t for t, a in zip(api.tenants, answers, strict=True) if a.status_code == 201)
        assert row is not None and row["tenant"] == winner


@PG
async def test_an_agent_who_is_not_an_admin_is_refused(api: Api) -> None:
    await api.client.post(api.url(), json=account(), headers=api.auth())
    agent = await sign_in_client(api.client, api.base, await create_agent(
        api.app, api.tenant, name="Bo", role="agent"
    ))  # fmt: skip
    csrf = {"X-CSRF-Token": agent.csrf_token}
    one = api.url(path="/whatsapp/106540352242922")
    assert (await api.client.get(api.url())).status_code == 403
    assert (await api.client.get(one)).status_code == 403
    patch = await api.client.patch(one, json={"enabled": False}, headers=csrf)
    assert patch.status_code == 403, patch.text
    rotate = await api.client.post(f"{one}/secrets/x", json={"value": "v"}, headers=csrf)
    assert rotate.status_code == 403
    assert (await api.client.delete(one, headers=csrf)).status_code == 403
    row = await stored(api.app, "whatsapp", "106540352242922")
    assert row is not None and row["version"] == 1 and row["enabled"]


BAD = [
    account(kind="fax"),
    account(account_id="has space"),
    account(account_id=""),
    account(name="  "),
    account(secrets={"Bad-Name": "v"}),
    account(secrets={"ok": ""}),
    account(secrets={"ok": " padded "}),
    account(settings="not an object"),
    account(secrets={"ok": SECRET_1 * 100}),  # too long: refused without repeating it
    account(secrets={"ok": [SECRET_1]}),
    account(secrets=[SECRET_1]),
    {"kind": "whatsapp"},
    {"kind": "whatsapp", "secrets": {"token": SECRET_1}},  # missing fields: not repeated
    ["not", "an", "object", SECRET_1],
]


@PG
async def test_bad_input_is_refused_and_changes_nothing(api: Api) -> None:
    c = api.client
    for bad in BAD:
        res = await c.post(api.url(), json=bad, headers=api.auth())
        assert res.status_code == 422, (bad, res.text)
        no_secret_in(res.text)
    assert (await c.get(api.url(), headers=api.auth())).json() == []
    await c.post(api.url(), json=account(), headers=api.auth())
    one = api.url(path="/whatsapp/106540352242922")
    assert (await c.patch(one, json={"name": ""}, headers=api.auth())).status_code == 422
    bad_secret = await c.post(f"{one}/secrets/BAD", json={"value": "v"}, headers=api.auth())
    assert bad_secret.status_code == 422
    for value in (SECRET_2 * 100, [SECRET_2], {"v": SECRET_2}, None):
        res = await c.post(f"{one}/secrets/token", json={"value": value}, headers=api.auth())
        assert res.status_code == 422, res.text
        no_secret_in(res.text)
    for raw in ({"valu": SECRET_2}, [SECRET_2], SECRET_2):
        res = await c.post(f"{one}/secrets/token", json=raw, headers=api.auth())
        assert res.status_code == 422, res.text
        no_secret_in(res.text)
    gone = await c.delete(f"{one}/secrets/app_secret/2", headers=api.auth())
    assert gone.status_code == 404
    row = await stored(api.app, "whatsapp", "106540352242922")
    assert row is not None and row["version"] == 1 and row["name"] == "Support +1 555 0100"


def write_file(path: Path, entries: list[dict[str, Any]]) -> Path:
    if path.suffix == ".toml":
        lines = []
        for e in entries:
            lines.append("[[accounts]]")
            lines += [f"{k} = {json.dumps(v)}" for k, v in e.items() if not isinstance(v, dict)]
            for k, v in e.items():
                if isinstance(v, dict):
                    lines.append(f"[accounts.{k}]")
                    lines += [f"{kk} = {json.dumps(vv)}" for kk, vv in v.items()]
        path.write_text("\n".join(lines).replace('{"env": ', "{env = "))
    else:
        path.write_text(json.dumps({"accounts": entries}))
    return path


def entries(tenant: str) -> list[dict[str, Any]]:
    return [
        {
            "tenant": tenant, "kind": "slack", "account_id": "T0001", "name": "Workspace",
            "secrets": {"signing_secret": {"env": "HOTLINE_TEST_SLACK_SIGNING"}},
        },
        {
            "tenant": tenant, "kind": "email", "account_id": "help@acme.test", "name": "Help",
            "settings": {"imap_host": "imap.acme.test"}, "enabled": False,
        },
    ]  # fmt: skip


async def load(engine: AsyncEngine, path: Path) -> dict[str, list[str]]:
    async with engine.begin() as conn:
        return await channel_file.load(conn, path, {"HOTLINE_TEST_SLACK_SIGNING": SECRET_1}, SEALER)


@pytest.mark.parametrize("suffix", [".json", ".toml"])
async def test_the_file_loads_and_reloads_idempotently(
    engine: AsyncEngine, tmp_path: Path, suffix: str
) -> None:
    tenant = "t" + uuid.uuid4().hex[:8]
    path = write_file(tmp_path / f"channels{suffix}", entries(tenant))
    first = await load(engine, path)
    assert first["created"] == ["slack:T0001", "email:help@acme.test"]
    assert await load(engine, path) == {"created": [], "updated": [], "unchanged": first["created"]}
    async with engine.connect() as conn:
        slack = await channel_rows.one(conn, tenant, "slack", "T0001")
        mail = await channel_rows.one(conn, tenant, "email", "help@acme.test")
    assert slack is not None and mail is not None
    assert channel_accounts.secret_values(slack, SEALER) == {"signing_secret": [SECRET_1]}
    assert (slack["version"], mail["version"], mail["enabled"]) == (1, 1, False)
    assert mail["settings"] == {"imap_host": "imap.acme.test"}
    changed = entries(tenant)
    changed[1]["enabled"] = True
    async with engine.begin() as conn:
        await channel_rows.add(
            conn, tenant=tenant, kind="sms", account_id="AC1", name="Untouched", settings={},
            secrets={}, enabled=True, created_at=datetime.now(UTC), updated_at=datetime.now(UTC),
        )  # fmt: skip
    done = await load(engine, write_file(path, changed))
    assert done["updated"] == ["email:help@acme.test"] and done["unchanged"] == ["slack:T0001"]
    async with engine.connect() as conn:
        kept = await channel_rows.all_of(conn, tenant)
    assert {(a["kind"], a["version"]) for a in kept} == {("sms", 1), ("slack", 1), ("email", 2)}
    rotating = [{"env": "HOTLINE_TEST_SLACK_NEW"}, {"env": "HOTLINE_TEST_SLACK_SIGNING"}]
    changed[0]["secrets"] = {"signing_secret": rotating}
    path = write_file(tmp_path / "rotated.json", changed)  # a list of references: JSON here
    env = {"HOTLINE_TEST_SLACK_SIGNING": SECRET_1, "HOTLINE_TEST_SLACK_NEW": SECRET_2}
    async with engine.begin() as conn:
        rotated = await channel_file.load(conn, path, env, SEALER)
        slack = await channel_rows.one(conn, tenant, "slack", "T0001")
    assert rotated["updated"] == ["slack:T0001"]
    assert slack is not None and slack["version"] == 2
    assert channel_accounts.secret_values(slack, SEALER) == {"signing_secret": [SECRET_2, SECRET_1]}


BAD_FILES: list[tuple[str, str]] = [
    ('{"accounts": [', "cannot read it"),
    ('{"accounts": {}}', "expected a list 'accounts'"),
    (json.dumps({"accounts": [{"tenant": "x", "kind": "fax", "account_id": "1", "name": "n"}]}),
     "accounts[0]: kind"),
    (json.dumps({"accounts": [{"tenant": "x", "kind": "sms", "account_id": "1", "name": "n",
                              "secrets": {"token": {"env": "HOTLINE_TEST_UNSET_VAR"}}}]}),
     "HOTLINE_TEST_UNSET_VAR unset"),
    (json.dumps({"accounts": [{"tenant": "x", "kind": "sms", "account_id": "1", "name": "n",
                              "secrets": {"token": "inline-secret"}}]}),
     '{"env": "VARIABLE"}'),
    (json.dumps({"accounts": [{"tenant": "x", "kind": "sms", "account_id": "1", "nme": "n"}]}),
     "unknown fields: nme"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "says"), BAD_FILES)
async def test_a_bad_file_is_refused_and_changes_nothing(
    engine: AsyncEngine, tmp_path: Path, text: str, says: str
) -> None:
    tenant = "t" + uuid.uuid4().hex[:8]
    good = entries(tenant)[1]
    path = tmp_path / "channels.json"
    path.write_text(text)
    if text.startswith('{"accounts": [{'):  # a good entry first: rolled back with the bad one
        path.write_text(json.dumps({"accounts": [good, *json.loads(text)["accounts"]]}))
        says = says.replace("accounts[0]", "accounts[1]")
    with pytest.raises(channel_file.ChannelFileError, match=None) as failed:
        await load_channel_accounts(engine, path, SEALER)
    assert says in str(failed.value) and str(path) in str(failed.value)
    async with engine.connect() as conn:
        assert await channel_rows.all_of(conn, tenant) == []


async def test_a_file_claiming_another_tenants_account_is_refused(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    tenant, other = "t" + uuid.uuid4().hex[:8], "o" + uuid.uuid4().hex[:8]
    await load(engine, write_file(tmp_path / "a.json", entries(tenant)))
    with pytest.raises(channel_file.ChannelFileError, match="another tenant's"):
        await load(engine, write_file(tmp_path / "b.json", entries(other)))
    async with engine.connect() as conn:
        assert await channel_rows.all_of(conn, other) == []


@PG
async def test_the_unifier_applies_the_file_at_start_and_a_bad_one_stops_it(
    kafka: str, dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("HOTLINE_TEST_SLACK_SIGNING", SECRET_2)
    tenant = "t" + uuid.uuid4().hex[:8]
    path = write_file(tmp_path / "channels.json", entries(tenant))
    app = create_app(settings_for(kafka, dsn, consume=False, channel_accounts_file=path))
    async with serving(app):
        row = await stored(app, "slack", "T0001")
    assert row is not None and channel_accounts.secret_values(row, SEALER)["signing_secret"] == [
        SECRET_2
    ]
    path.write_text('{"accounts": "nope"}')
    broken = create_app(settings_for(kafka, dsn, consume=False, channel_accounts_file=path))
    with pytest.raises(channel_file.ChannelFileError):  # uvicorn exits on it (code 3)
        async with broken.router.lifespan_context(broken):
            pass
    assert "expected a list 'accounts'" in caplog.text
    no_secret_in(caplog.text)
