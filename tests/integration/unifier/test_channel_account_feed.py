"""Channel accounts from the admin API to an edge's registry, on the real broker and PostgreSQL:
every change is a ``channel.account.changed.v1`` on the compacted topic (secrets sealed), an
``AccountFeed`` applies each within seconds (rotation: both values valid; disabled: not routed;
deleted: gone), and a feed started later catches up from the topic before ``start`` returns."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from hotline import unified as un
from hotline.accounts import Account, AccountRegistry, Unknown
from hotline.accounts.feed import AccountFeed
from hotline.topics import CHANNEL_ACCOUNTS
from tests.integration.unifier.harness import SEALER, eventually, read_unified, settings_for
from tests.integration.unifier.server import serving
from unifier.entrypoints.app import create_app

PG = pytest.mark.parametrize("dsn", ["postgresql"], indirect=True)
SECRET_1, SECRET_2, TOKEN = (f"s3cr3t-{i}-{uuid.uuid4().hex}" for i in (1, 2, 3))


@dataclass
class Admin:
    client: httpx.AsyncClient
    app: FastAPI
    tenant: str

    def url(self, path: str = "") -> str:
        return f"/api/tenants/{self.tenant}/channel-accounts{path}"

    async def call(self, method: str, path: str = "", body: Any = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer tok-{self.tenant}"}
        res = await self.client.request(method, self.url(path), json=body, headers=headers)
        assert res.status_code in (200, 201, 204), res.text
        return res


@pytest.fixture
async def admin(kafka: str, dsn: str) -> AsyncIterator[Admin]:
    """The unifier with its outbox relay running in-process (no relay child process)."""
    tenant = "t" + uuid.uuid4().hex[:8]
    settings = settings_for(
        kafka, dsn, api_tokens={tenant: SecretStr("tok-" + tenant)}, relay_process=False
    )
    app = create_app(settings)
    async with serving(app) as base, httpx.AsyncClient(base_url=base, timeout=10) as client:
        yield Admin(client, app, tenant)


def whatsapp(account_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "whatsapp", "account_id": account_id, "name": "Support",
        "secrets": {"app_secret": SECRET_1, "access_token": TOKEN},
    } | extra  # fmt: skip


async def changes_of(kafka: str, tenant: str, n: int) -> list[un.ChannelAccountChanged]:
    found: list[un.ChannelAccountChanged] = []

    async def arrived() -> bool:
        events = await read_unified(kafka, CHANNEL_ACCOUNTS, tenant)
        found[:] = [e for e in events if isinstance(e, un.ChannelAccountChanged)]
        return len(found) >= n

    await eventually(arrived, timeout=15)
    return found


@PG
async def test_every_change_is_a_sealed_record_on_the_compacted_topic(
    kafka: str, admin: Admin
) -> None:
    one = "/whatsapp/1065"
    await admin.call("POST", body=whatsapp("1065"))
    await admin.call("PATCH", one, {"enabled": False})
    await admin.call("POST", f"{one}/secrets/app_secret", {"value": SECRET_2})
    await admin.call("DELETE", f"{one}/secrets/app_secret/1")
    await admin.call("DELETE", one)
    changes = await changes_of(kafka, admin.tenant, 5)
    assert [(c.version, c.enabled, c.removed) for c in changes] == [
        (1, True, False), (2, False, False), (3, False, False), (4, False, False),
        (5, False, True),
    ]  # fmt: skip
    assert {(c.kind, c.account_id, c.tenant) for c in changes} == {
        ("whatsapp", "1065", admin.tenant)
    }
    assert un.unified_key(changes[0]) == b"whatsapp:1065"
    opened = [{n: [SEALER.open(v) for v in vs] for n, vs in c.secrets.items()} for c in changes]
    assert [o["app_secret"] for o in opened] == [
        [SECRET_1], [SECRET_1], [SECRET_2, SECRET_1], [SECRET_2], [SECRET_2]
    ]  # fmt: skip
    assert all(o["access_token"] == [TOKEN] for o in opened)
    raw = b"".join(un.encode(c) for c in changes)
    assert not any(s.encode() in raw for s in (SECRET_1, SECRET_2, TOKEN))  # sealed on the wire
    assert len({c.event_id for c in changes}) == 5


async def until(check: Callable[[], bool], timeout: float = 5.0) -> float:
    """Seconds until ``check()`` holds (fails past ``timeout``)."""
    start = time.monotonic()
    await eventually(_async(check), timeout)
    return time.monotonic() - start


def _async(check: Callable[[], bool]) -> Callable[[], Any]:
    async def run() -> bool:
        return check()

    return run


def secrets_of(found: Account | None, name: str) -> tuple[str, ...]:
    return found.secret_values(name) if found is not None else ()


@PG
async def test_a_feed_follows_every_change_and_a_late_feed_catches_up(
    kafka: str, admin: Admin
) -> None:
    first, second = (f"{uuid.uuid4().int % 10**15}" for _ in range(2))
    registry = AccountRegistry()
    seen: list[tuple[str, int | None, int | None]] = []

    def told(before: Account | None, after: Account | None) -> None:
        account = after or before
        assert account is not None
        version = (before.version if before else None, after.version if after else None)
        seen.append((account.account_id, *version))

    registry.listen(told)
    feed = AccountFeed(registry, kafka, SEALER)
    await feed.start()
    try:
        await admin.call("POST", body=whatsapp(first))
        await until(lambda: secrets_of(registry.find("whatsapp", first), "app_secret") != ())
        account = registry.route("whatsapp", first)
        assert (account.tenant, account.secret("access_token")) == (admin.tenant, TOKEN)
        await admin.call("POST", f"/whatsapp/{first}/secrets/app_secret", {"value": SECRET_2})
        rotated = (SECRET_2, SECRET_1)  # both valid while the old one is rotated out
        await until(lambda: secrets_of(registry.find("whatsapp", first), "app_secret") == rotated)
        assert registry.route("whatsapp", first).secret("app_secret") == SECRET_2
        await admin.call("PATCH", f"/whatsapp/{first}", {"enabled": False})
        await until(lambda: registry.find("whatsapp", first) is None)
        with pytest.raises(Unknown):
            registry.route("whatsapp", first)
        await admin.call("POST", body=whatsapp(second, name="Sales"))
        await admin.call("DELETE", f"/whatsapp/{first}")
        await until(lambda: ("whatsapp", first) not in registry.snapshot())
        await until(lambda: registry.find("whatsapp", second) is not None)
        changes = [(b, a) for who, b, a in seen if who == first]
        assert changes == [(None, 1), (1, 2), (2, 3), (3, None)] and feed.skipped == 0
    finally:
        await feed.stop()
    late = AccountRegistry()
    late_feed = AccountFeed(late, kafka, SEALER)
    await late_feed.start()  # returns caught up: no waiting here
    try:
        assert ("whatsapp", first) not in late.snapshot()
        caught = late.route("whatsapp", second)
        assert (caught.tenant, caught.version, caught.secret("app_secret")) == (
            admin.tenant, 1, SECRET_1
        )  # fmt: skip
    finally:
        await late_feed.stop()
