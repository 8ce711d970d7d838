"""The thread pane's test fixtures: one app (SQLite, real broker) serving two tenants, a
Chromium, a signed-in page per test, and helpers to find threads and read what was published."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiokafka import TopicPartition
from fastapi import FastAPI
from playwright.async_api import Browser, Page, async_playwright
from pydantic import SecretStr

from hotline.topics import REPLIES_CHAT, REPLIES_EMAIL, REPLIES_SOCIAL
from tests.browser import ARGS, CHROMIUM
from tests.e2e.workspace.customers import Customers
from tests.integration.unifier.harness import eventually, settings_for
from tests.integration.unifier.server import serving
from tests.integration.unifier.test_api import end_offsets, replies_since
from tests.workspace import SignedIn, create_agent, sign_in_as
from unifier.entrypoints.app import create_app
from unifier.store.queries import list_conversations

REPLY_TOPICS = (REPLIES_EMAIL, REPLIES_CHAT, REPLIES_SOCIAL)
SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"


@dataclass(frozen=True)
class Served:
    app: FastAPI
    base: str
    tenant: str
    other: str


@pytest.fixture(scope="module")
async def served(
    kafka: str, customers: Customers, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Served]:
    tenant, other = customers.tenant(), customers.tenant()  # each with its channel accounts
    db = tmp_path_factory.mktemp("thread") / "u.db"
    tokens = {tenant: SecretStr("tok-" + tenant), other: SecretStr("tok-" + other)}
    app = create_app(
        settings_for(kafka, f"sqlite:///{db}", api_tokens=tokens, deleted_text_days=3000)
    )
    async with serving(app) as base:
        yield Served(app, base, tenant, other)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        b = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        await b.close()


@pytest.fixture
async def agent(served: Served) -> SignedIn:
    """The agent ``page`` is signed in as (Ana; her agent id is generated)."""
    return await create_agent(served.app, served.tenant, name="Ana")


@pytest.fixture
async def page(browser: Browser, served: Served, agent: SignedIn) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport={"width": 1200, "height": 900})
    await sign_in_as(context, served.base, agent)
    p = await context.new_page()
    yield p
    await context.close()


async def thread_with(app: FastAPI, tenant: str, text: str) -> str:
    """The id of the conversation holding a message with ``text``, once it is stored."""
    found: list[str] = []

    async def stored() -> bool:
        async with app.state.runtime.engine.connect() as conn:
            rows = await list_conversations(conn, tenant, text=text)
        found[:] = [r["thread_id"] for r in rows]
        return bool(found)

    await eventually(stored)
    return found[0]


async def reply_offsets(kafka: str) -> dict[str, dict[TopicPartition, int]]:
    return {t: await end_offsets(kafka, t) for t in REPLY_TOPICS}


async def replies_after(
    kafka: str, before: dict[str, dict[TopicPartition, int]], tenant: str
) -> list[object]:
    """Everything published for ``tenant`` on any replies topic since ``before``."""
    return [e for t in REPLY_TOPICS for e in await replies_since(kafka, before[t], tenant)]
