"""Tenancy through the real edges and the session's broker: ``HOTLINE_TENANTS`` maps one WhatsApp
phone-number id to "acme"; another number, unmapped, lands in the default tenant. One process
serves both, so the tenant is decided per event (its channel account), never per process, and
the record's partition key carries it. (Twilio's tenant: tests/unit/social/test_tenancy_edge.py.)"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from hotline import events as ev
from hotline.accounts import Account
from hotline.topics import INBOUND_SOCIAL
from hotline_tools.devstack.broker import free_port
from tests.integration.social.conftest import serve
from tests.kafka_helpers import read_all
from tests.unit.social.edges import META_SECRET, settings_for
from tests.unit.social.helpers import named_cases
from tests.unit.social.test_whatsapp_edge import PATH, sign

pytestmark = pytest.mark.integration


def recorded_text(corpora: Path, number: str, wamid: str) -> bytes:
    """pywa's recorded text message, sent to ``number`` with a message id of this run."""
    body = named_cases(corpora / "david-lev-pywa/tests/data/updates/message.json")["text"]
    hook = json.loads(body)
    value = hook["entry"][0]["changes"][0]["value"]
    value["metadata"]["phone_number_id"] = number
    value["messages"][0]["id"] = wamid
    return json.dumps(hook).encode()


async def test_the_phone_number_id_decides_the_tenant(
    kafka: str, corpora: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = uuid.uuid4().hex[:10]
    mapped, unmapped = f"555{run}", f"777{run}"
    monkeypatch.setenv("HOTLINE_TENANTS", json.dumps({f"whatsapp:{mapped}": "acme"}))
    settings = settings_for(kafka, free_port(), default_tenant="default")
    assert settings.tenancy().tenant_for("whatsapp", mapped) == "acme"  # read from the env
    sent = {f"wamid.{run}.a": mapped, f"wamid.{run}.b": unmapped, f"wamid.{run}.c": mapped}
    async with serve(settings) as social:
        for wamid, number in sent.items():
            body = recorded_text(corpora, number, wamid)
            r = await social.client.post(PATH, content=body, headers=sign(body))
            assert r.status_code == 200, r.text
    landed = {}
    for record in await read_all(kafka, INBOUND_SOCIAL):
        event = ev.decode(record.value)
        if isinstance(event, ev.MessageReceived) and event.provider_message_id in sent:
            landed[event.provider_message_id] = (event, record.key)
    assert set(landed) == set(sent)
    for wamid, number in sent.items():
        event, key = landed[wamid]
        tenant = "acme" if number == mapped else "default"
        assert event.tenant == tenant and event.channel.account_id == number
        assert event.event_id == ev.event_id_for(tenant, "whatsapp", wamid, "message")
        assert event.conversation_key == f"{tenant}/whatsapp/{number}/972987654321"
        assert key == event.conversation_key.encode()  # the partition key carries it too
        phone = event.sender.identifiers[1]
        assert (phone.kind, phone.level, phone.verified) == ("phone", "provider_verified", True)
        assert event.sender.display_name == "Test Name"


async def test_a_managed_accounts_tenant_wins_over_the_tenancy_setting(
    kafka: str, corpora: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An account from the admin API (what the accounts feed puts in the registry) carries its
    own tenant; the environment's account keeps ``HOTLINE_TENANTS`` for every other number."""
    run = uuid.uuid4().hex[:10]
    managed, other = f"556{run}", f"557{run}"
    monkeypatch.setenv(
        "HOTLINE_TENANTS", json.dumps({f"whatsapp:{managed}": "acme", f"whatsapp:{other}": "acme"})
    )
    sent = {f"wamid.{run}.m": managed, f"wamid.{run}.o": other}
    async with serve(settings_for(kafka, free_port(), default_tenant="default")) as social:
        secrets = {"app_secret": (META_SECRET,)}
        social.app.state.accounts.put(Account("whatsapp", managed, "globex", secrets, version=1))
        for wamid, number in sent.items():
            body = recorded_text(corpora, number, wamid)
            r = await social.client.post(PATH, content=body, headers=sign(body))
            assert r.status_code == 200, r.text
    records = await read_all(kafka, INBOUND_SOCIAL)
    landed = {
        e.provider_message_id: e
        for e in map(ev.decode, (r.value for r in records))
        if isinstance(e, ev.MessageReceived) and e.provider_message_id in sent
    }
    assert landed[f"wamid.{run}.m"].tenant == "globex"
    assert landed[f"wamid.{run}.o"].tenant == "acme"
