"""Webhooks routed to their channel accounts (``hotline.accounts``) through the whole app in
process, on the intake's in-memory publisher: two WhatsApp numbers with their own app secrets
and tenants, a rotated secret whose two values both verify, an unknown or disabled number
refused with 404 and nothing produced, a known one with a wrong secret with 401; the same for
Telegram (bot id in the path), Twilio (AccountSid and the account's signed URL) and X."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest

from hotline import events as ev
from hotline.accounts import Account
from hotline.topics import INBOUND_SOCIAL, OPS
from social_ingest.providers.meta import verify as meta
from tests.unit.social.edges import META_SECRET, VERIFY_TOKEN, InProcess, in_process
from tests.unit.social.test_whatsapp_edge import text_webhook

PATH = "/webhooks/whatsapp"
NO_ENV_META = ("meta_app_secret", "meta_verify_token")  # every Meta account is managed

A = Account(
    "whatsapp",
    "pn-a",
    "tenant-a",
    {"app_secret": ("secret-a",), "verify_token": ("vt-a",)},
    version=1,
)
B = Account("whatsapp", "pn-b", "tenant-b", {"app_secret": ("b-new", "b-old")}, version=1)
C = Account("whatsapp", "pn-c", "tenant-c", {"app_secret": ("secret-a",)}, version=1)  # A's app
OFF = Account("whatsapp", "pn-off", "tenant-a", {"app_secret": ("off",)}, enabled=False, version=1)


def to_numbers(numbers: list[str], tag: str) -> bytes:
    """One entry per number, each with one text message (id ``wamid.<tag>.<number>``)."""
    entries = []
    for number in numbers:
        hook = json.loads(text_webhook(f"wamid.{tag}.{number}", "hello"))
        entry = hook["entry"][0]
        entry["changes"][0]["value"]["metadata"]["phone_number_id"] = number
        entries.append(entry)
    return json.dumps({"object": "whatsapp_business_account", "entry": entries}).encode()


def signed(secret: str | None, body: bytes) -> dict[str, str]:
    if secret is None:
        return {"content-type": "application/json"}
    return {"x-hub-signature-256": meta.sign(secret.encode(), body)}


@dataclass
class Route:
    name: str
    numbers: list[str]
    secret: str | None
    status: int
    tenants: dict[str, str] = field(default_factory=dict)  # number -> its events' tenant
    error: str = ""


ROUTES = [
    Route("number a, its secret", ["pn-a"], "secret-a", 200, {"pn-a": "tenant-a"}),
    Route("number b, its newest value", ["pn-b"], "b-new", 200, {"pn-b": "tenant-b"}),
    Route("number b, its older value (rotation)", ["pn-b"], "b-old", 200, {"pn-b": "tenant-b"}),
    Route("number a signed with b's secret", ["pn-a"], "b-new", 401, error="bad_signature"),
    Route("number b signed with a's secret", ["pn-b"], "secret-a", 401, error="bad_signature"),
    Route("number a unsigned", ["pn-a"], None, 401, error="bad_signature"),
    Route("number a, the environment's secret", ["pn-a"], META_SECRET, 401, error="bad_signature"),
    Route("unknown number", ["pn-x"], "secret-a", 404, error="unknown_account"),
    Route("unknown number unsigned", ["pn-x"], None, 404, error="unknown_account"),
    Route("disabled number, its secret", ["pn-off"], "off", 404, error="unknown_account"),
    Route(
        "a and c, one app's secret: each entry its own tenant",
        ["pn-a", "pn-c"],
        "secret-a",
        200,
        {"pn-a": "tenant-a", "pn-c": "tenant-c"},
    ),
    Route("a and b, a's secret", ["pn-a", "pn-b"], "secret-a", 401, error="bad_signature"),
    Route("a and an unknown number", ["pn-a", "pn-x"], "secret-a", 404, error="unknown_account"),
]


def managed(svc: InProcess, *accounts: Account) -> None:
    for account in accounts:
        svc.accounts.put(account)


def messages(svc: InProcess) -> list[ev.MessageReceived]:
    landed = svc.fake.events_on(INBOUND_SOCIAL)
    return [e for e in landed if isinstance(e, ev.MessageReceived)]


@pytest.mark.parametrize("case", ROUTES, ids=lambda c: c.name)
async def test_whatsapp_numbers_route_to_their_accounts(case: Route) -> None:
    body = to_numbers(case.numbers, "route")
    async with in_process(unset=NO_ENV_META) as svc:
        managed(svc, A, B, C, OFF)
        r = await svc.client.post(PATH, content=body, headers=signed(case.secret, body))
    assert r.status_code == case.status, r.text
    landed = messages(svc)
    if case.status != 200:
        assert r.json()["error"] == case.error
        assert (svc.fake.calls, svc.fake.published, svc.fake.letters) == (0, [], [])
        return
    assert len(landed) == len(case.tenants)
    assert {e.channel.account_id: e.tenant for e in landed} == case.tenants
    for e in landed:
        wamid = f"wamid.route.{e.channel.account_id}"
        assert e.event_id == ev.event_id_for(e.tenant, "whatsapp", wamid, "message")
        assert e.conversation_key.startswith(f"{e.tenant}/whatsapp/{e.channel.account_id}/")


async def test_managed_numbers_take_precedence_over_the_environments_any_number() -> None:
    """Env-only behaviour is kept for the numbers no managed account names."""
    async with in_process() as svc:  # the environment's account: META_SECRET for any number
        managed(svc, A)
        own, other = to_numbers(["pn-a"], "p1"), to_numbers(["pn-z"], "p1")
        post = svc.client.post
        assert (await post(PATH, content=own, headers=signed(META_SECRET, own))).status_code == 401
        assert (await post(PATH, content=own, headers=signed("secret-a", own))).status_code == 200
        r = await post(PATH, content=other, headers=signed(META_SECRET, other))
        assert r.status_code == 200
        svc.accounts.drop("whatsapp", "pn-a")  # back to the environment's account
        again = to_numbers(["pn-a"], "p2")
        r = await post(PATH, content=again, headers=signed(META_SECRET, again))
        assert r.status_code == 200
    tenants = {e.provider_message_id: e.tenant for e in messages(svc)}
    assert tenants == {
        "wamid.p1.pn-a": "tenant-a",
        "wamid.p1.pn-z": "acme",  # the tenancy's, as before
        "wamid.p2.pn-a": "acme",
    }


async def test_a_business_account_update_is_signed_by_some_account_of_the_kind() -> None:
    """Template and account updates name no phone number: any WhatsApp account's secret."""
    update = {"field": "message_template_status_update", "value": {"event": "APPROVED"}}
    hook = {"object": "whatsapp_business_account", "entry": [{"id": "waba-9", "changes": [update]}]}
    body = json.dumps(hook).encode()
    async with in_process(unset=NO_ENV_META) as svc:
        managed(svc, A, B)
        assert (
            await svc.client.post(PATH, content=body, headers=signed("x", body))
        ).status_code == 401
        assert svc.fake.published == []
        r = await svc.client.post(PATH, content=body, headers=signed("b-old", body))
        assert r.status_code == 200, r.text
        (op,) = svc.fake.events_on(OPS)
    assert op.channel.account_id == "waba-9"


async def test_the_handshake_takes_the_verify_token_of_any_account_of_its_kind() -> None:
    page = Account("messenger", "page-1", "t", {"verify_token": ("vt-page",)}, version=1)
    hub = {"hub.mode": "subscribe", "hub.challenge": "42"}
    async with in_process(unset=NO_ENV_META) as svc:
        managed(svc, A, B, page)
        get = svc.client.get
        ok = await get(PATH, params={**hub, "hub.verify_token": "vt-a"})
        assert (ok.status_code, ok.text) == (200, "42")
        assert (await get(PATH, params={**hub, "hub.verify_token": "vt-page"})).status_code == 403
        assert (
            await get(PATH, params={**hub, "hub.verify_token": VERIFY_TOKEN})
        ).status_code == 403
        mine = await get("/webhooks/messenger", params={**hub, "hub.verify_token": "vt-page"})
        assert mine.status_code == 200
    async with in_process() as svc:  # the environment's token, as before
        r = await svc.client.get(PATH, params={**hub, "hub.verify_token": VERIFY_TOKEN})
        assert (r.status_code, r.text) == (200, "42")
