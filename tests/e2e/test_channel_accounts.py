"""Issue 24's "done means" for channel accounts, through the real path only: accounts are made,
rotated, disabled and retired ONLY at the unifier's admin API; the edges learn them from the
compacted feed while they run; traffic enters ONLY as providers send it (signed WhatsApp
webhooks, signed Slack events, the widget's socket, mail in IMAP mailboxes).

Two tenants, each with a WhatsApp number, a Slack workspace, a widget site and a mailbox, all
at once; while a steady stream writes to one number and one workspace, a third number is added
and written to as soon as it routes, and the number's app secret is rotated (the new value
joins, the sender moves to it, the old one still counts until retired, then 401). Unknown and
disabled accounts are refused (404, widget close 4404). At the end the inbound topics hold
exactly one event per acknowledged message (and per mail), each under its account's tenant, and
nothing else; the unifier has stored each of them under that tenant."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.account_stack import Stack, running_stack, until_true
from tests.integration.email.dovecot import message

pytestmark = pytest.mark.e2e
TAG = uuid.uuid4().hex[:6]
A, B, C = (f"acct{n}{TAG}" for n in "abc")  # the tenants
WA1, WA2, WA3, WA_NOBODY = (str(10**14 + secrets.randbelow(10**14)) for _ in range(4))
TEAM1, TEAM2 = f"T{TAG.upper()}1", f"T{TAG.upper()}2"
SITE1, SITE2 = f"site-{TAG}-1", f"site-{TAG}-2"
S1, S2, W2, W3, K1, K2 = (f"secret-{n}-{secrets.token_hex(12)}" for n in range(6))
MAILS = {"ann": (A, range(1, 4)), "ben": (B, range(11, 14))}  # user -> tenant, mails


@pytest.fixture
async def stack(kafka: str, tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(kafka, [A, B, C], tmp_path) as running:
        for user in MAILS:
            running.dovecot.add_user(user)
        yield running


def whatsapp(number: str, app_secret: str) -> dict[str, Any]:
    secrets_ = {"app_secret": app_secret, "verify_token": "vt-" + number, "access_token": "x"}
    return {"kind": "whatsapp", "account_id": number, "name": "WA", "secrets": secrets_}


def slack(team: str, signing_secret: str) -> dict[str, Any]:
    secrets_ = {"signing_secret": signing_secret, "bot_token": "xoxb-" + team}
    return {"kind": "slack", "account_id": team, "name": "Slack", "secrets": secrets_}


def widget(site: str) -> dict[str, Any]:
    secret = {"site_secret": f"site-secret-{site}-{secrets.token_hex(16)}"}
    return {"kind": "widget", "account_id": site, "name": "Widget", "secrets": secret}


def mailbox(stack: Stack, user: str, tenant: str) -> dict[str, Any]:
    settings = {
        "source": "imap", "host": "127.0.0.1", "port": stack.dovecot.port,
        "security": "plain", "username": user, "folders": ["INBOX"], "auth": "password",
        "poll_s": 0.2,
    }  # fmt: skip
    return {
        "kind": "email", "account_id": f"{user}@{tenant}.test", "name": user,
        "settings": settings, "secrets": {"password": stack.dovecot.password},
    }  # fmt: skip


Send = Callable[[], Awaitable[tuple[int, str]]]


async def once_routed(stack: Stack, tenant: str, send: Send) -> None:
    """Send until the edge stops answering 404 (the feed has brought the account): the
    answer that is not a 404 must be a 200, and counts."""

    async def routed() -> bool:
        status, provider_id = await send()
        if status == 200:
            stack.ledger.add(tenant, provider_id)
        assert status in (200, 404)
        return status == 200

    await until_true(routed, what=f"{tenant}'s account routed")


async def until_refused(stack: Stack, tenant: str, send: Send, refusal: int) -> None:
    """Send until the edge answers ``refusal`` (a change has reached it); a 200 before that
    counts."""

    async def refused() -> bool:
        status, provider_id = await send()
        if status == 200:
            stack.ledger.add(tenant, provider_id)
        assert status in (200, refusal)
        return status == refusal

    await until_true(refused, what=f"{refusal} from the edge")


async def sent(stack: Stack, tenant: str, send: Send) -> None:
    status, provider_id = await send()
    assert status == 200
    stack.ledger.add(tenant, provider_id)


async def widget_routed(stack: Stack, tenant: str, site: str) -> None:
    async def welcomed() -> bool:
        return (await stack.widget_hello(site))[0] == "welcome"

    await until_true(welcomed, what=f"widget site {site} routed")
    stack.ledger.add(tenant, await stack.widget(site))


@dataclass
class Stream:
    """A steady stream to WA1 and TEAM1 until stopped; every attempt is kept, every 200 is in
    the ledger. ``wa_secret`` is what the WhatsApp sender signs with (the test switches it)."""

    stack: Stack
    wa_secret: str = S1
    attempts: list[tuple[str, str, int]] = field(default_factory=list)  # (to, secret, status)
    switched: asyncio.Event = field(default_factory=asyncio.Event)  # a 200 with S2
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self) -> None:
        while not self.stop.is_set():
            secret = self.wa_secret
            await self._one(WA1, secret, partial(self.stack.whatsapp, WA1, secret))
            await self._one(TEAM1, K1, lambda: self.stack.slack(TEAM1, K1))
            await asyncio.sleep(0.02)

    async def _one(self, to: str, secret: str, send: Send) -> None:
        status, provider_id = await send()
        self.attempts.append((to, secret, status))
        if status == 200:
            self.stack.ledger.add(A, provider_id)
            if secret == S2:
                self.switched.set()


async def all_accounts_at_once(stack: Stack) -> None:
    """Two of each kind, two tenants, made at the API; each edge routes each of them."""
    for tenant, body in [
        (A, whatsapp(WA1, S1)), (B, whatsapp(WA2, W2)), (A, slack(TEAM1, K1)),
        (B, slack(TEAM2, K2)), (A, widget(SITE1)), (B, widget(SITE2)),
        *[(t, mailbox(stack, user, t)) for user, (t, _) in MAILS.items()],
    ]:  # fmt: skip
        await stack.admin.call(tenant, "POST", body=body)
    for user, (tenant, numbers) in MAILS.items():
        for i in numbers:
            stack.dovecot.deliver(user, message(i), i)
            stack.ledger.add(tenant, f"<imap-{i}@example.test>")
    await asyncio.gather(
        once_routed(stack, A, lambda: stack.whatsapp(WA1, S1)),
        once_routed(stack, B, lambda: stack.whatsapp(WA2, W2)),
        once_routed(stack, A, lambda: stack.slack(TEAM1, K1)),
        once_routed(stack, B, lambda: stack.slack(TEAM2, K2)),
        widget_routed(stack, A, SITE1),
        widget_routed(stack, B, SITE2),
    )
    for _ in range(3):  # every account at once
        await asyncio.gather(
            sent(stack, A, lambda: stack.whatsapp(WA1, S1)),
            sent(stack, B, lambda: stack.whatsapp(WA2, W2)),
            sent(stack, A, lambda: stack.slack(TEAM1, K1)),
            sent(stack, B, lambda: stack.slack(TEAM2, K2)),
            widget_routed(stack, A, SITE1),
            widget_routed(stack, B, SITE2),
        )


async def add_and_rotate_under_traffic(stack: Stack) -> Stream:
    stream = Stream(stack)
    task = asyncio.create_task(stream.run())
    try:
        await stack.admin.call(C, "POST", body=whatsapp(WA3, W3))  # a third number
        await once_routed(stack, C, lambda: stack.whatsapp(WA3, W3))
        await sent(stack, C, lambda: stack.whatsapp(WA3, W3))
        await stack.admin.call(A, "POST", f"/whatsapp/{WA1}/secrets/app_secret", {"value": S2})
        stream.wa_secret = S2  # the sender switches to the new value
        await asyncio.wait_for(stream.switched.wait(), 15)
        await sent(stack, A, lambda: stack.whatsapp(WA1, S1))  # the old value still counts
        await stack.admin.call(A, "DELETE", f"/whatsapp/{WA1}/secrets/app_secret/1")
        await until_refused(stack, A, lambda: stack.whatsapp(WA1, S1), 401)
        await sent(stack, A, lambda: stack.whatsapp(WA1, S2))
        settled = len(stream.attempts)
        await until_true(_async(lambda: len(stream.attempts) > settled + 10), what="stream")
    finally:
        stream.stop.set()
        await task
    return stream


def _async(check: Callable[[], bool]) -> Callable[[], Awaitable[bool]]:
    async def run() -> bool:
        return check()

    return run


async def unknown_and_disabled_are_refused(stack: Stack) -> None:
    assert (await stack.whatsapp(WA_NOBODY, S2))[0] == 404
    assert (await stack.slack(f"T{TAG.upper()}NOBODY", K1))[0] == 404
    assert await stack.widget_hello(f"site-{TAG}-nobody") == ("unknown_site", 4404)
    await stack.admin.call(B, "PATCH", f"/whatsapp/{WA2}", {"enabled": False})
    await stack.admin.call(B, "PATCH", f"/widget/{SITE2}", {"enabled": False})
    await until_refused(stack, B, lambda: stack.whatsapp(WA2, W2), 404)

    async def site_refused() -> bool:
        return (await stack.widget_hello(SITE2))[0] != "welcome"

    await until_true(site_refused, what="disabled site refused")
    assert await stack.widget_hello(SITE2) == ("unknown_site", 4404)
    assert (await stack.whatsapp(WA2, W2))[0] == 404


def stream_statuses(stream: Stream) -> tuple[set[int], set[int]]:
    """The stream's answers before its first 200 with the new value S2, and the others."""
    attempts = stream.attempts
    first = next(i for i, (_, s, status) in enumerate(attempts) if s == S2 and status == 200)
    early = {status for _, s, status in attempts[:first] if s == S2}
    rest = {status for i, (_, s, status) in enumerate(attempts) if s != S2 or i >= first}
    return early, rest


async def test_accounts_from_the_admin_api_route_every_edge_nothing_lost_or_doubled(
    stack: Stack,
) -> None:
    since = await stack.offsets()
    await all_accounts_at_once(stack)
    stream = await add_and_rotate_under_traffic(stack)
    await unknown_and_disabled_are_refused(stack)

    early, rest = stream_statuses(stream)  # 401: S2 signed before the edge had it
    assert early <= {401} and rest == {200}

    expected = stack.ledger.expected()
    assert set(expected.values()) == {1}
    found: Counter[tuple[str, str]] = Counter()

    async def all_arrived() -> bool:
        found.clear()
        found.update(await stack.produced(since))
        return set(found) >= set(expected)

    await until_true(all_arrived, timeout=20, what="every acknowledged message on the topics")
    assert found == expected  # each once, under its account's tenant; nothing else produced

    stored: Counter[tuple[str, str]] = Counter()

    async def all_stored() -> bool:
        stored.clear()
        stored.update(await stack.stored([A, B, C]))
        return set(stored) >= set(expected)

    await until_true(all_stored, timeout=20, what="every message in the unifier's store")
    assert stored == expected
    by_tenant = Counter(tenant for tenant, _ in expected)
    assert by_tenant[C] >= 2 and by_tenant[B] >= 3 + 4 + 4 + 4  # mail, WA, Slack, widget
