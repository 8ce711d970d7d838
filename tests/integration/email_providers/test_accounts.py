"""Provider posts routed by recipient to the channel accounts of the app's registry
(``app.state.accounts``), on the in-memory publisher: two recipient domains with their own
signing keys and tenants (an address or domain is the account of one provider), a rotated key
valid with its predecessor, an unknown recipient 404 and a wrong account's key 401 with
nothing produced, a Mandrill batch routed mail by mail, and accounts added and removed while
the service runs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
import pytest

from email_ingest.app import create_app
from email_ingest.providers.mandrill import verify as mandrill_verify
from email_ingest.providers.settings import MandrillSettings
from hotline import events
from hotline.accounts.registry import Account, AccountRegistry
from hotline.intake import MemoryPublisher
from tests.http_helpers import serve_app
from tests.integration.email.conftest import NO_BROKER, mail, settings_for

pytestmark = pytest.mark.integration
MANDRILL_URL = "https://hooks.acme.test/inbound/email/mandrill"


def mailgun(domain: str, tenant: str, *keys: str, version: int = 1) -> Account:
    return Account("email", domain, tenant, {"signing_key": keys}, {"source": "mailgun"},
                   version=version)  # fmt: skip


def mandrill(domain: str, tenant: str, key: str) -> Account:
    return Account("email", domain, tenant, {"webhook_key": (key,)}, {"source": "mandrill"},
                   version=1)  # fmt: skip


POSTMARK = Account(
    "email", "in@gamma.test", "t-gamma", {"basic_password": ("pm-new-0002", "pm-old-0001")},
    {"source": "postmark", "basic_user": "inbound"}, version=1,
)  # fmt: skip


@dataclass
class Edge:
    url: str
    publisher: MemoryPublisher
    accounts: AccountRegistry

    def produced(self) -> int:
        return len(self.publisher.published) + len(self.publisher.letters)

    def received(self) -> list[events.MessageReceived]:
        found = [e for _, e in self.publisher.published]
        return [e for e in found if isinstance(e, events.MessageReceived)]


@pytest.fixture(scope="module")
async def edge() -> AsyncIterator[Edge]:
    mandrill_url = MandrillSettings(url=MANDRILL_URL)  # no key: no catch-all, only accounts
    settings = settings_for(NO_BROKER, "hotline.inbound.email", mandrill=mandrill_url)
    publisher = MemoryPublisher()
    app = create_app(settings, workers=[], publisher=publisher)
    accounts: AccountRegistry = app.state.accounts
    for account in (
        mailgun("alpha.test", "t-alpha", "alpha-key-new-0002", "alpha-key-old-0001"),
        mailgun("beta.test", "t-beta", "beta-key-0001"),
        mandrill("md-a.test", "t-alpha", "md-shared-key"),
        POSTMARK,
    ):
        accounts.put(account)
    async with serve_app(app) as url:
        yield Edge(url, publisher, accounts)


async def post_mailgun(edge: Edge, rcpt: str, key: str, mid: str) -> httpx.Response:
    ts, token = str(int(time.time())), hashlib.sha256(mid.encode()).hexdigest()[:50]
    sig = hmac.new(key.encode(), (ts + token).encode(), hashlib.sha256).hexdigest()
    fields = {"recipient": rcpt, "body-mime": mail(mid, to=rcpt).decode(),
              "timestamp": ts, "token": token, "signature": sig}  # fmt: skip
    headers = {"content-type": "application/x-www-form-urlencoded"}
    async with httpx.AsyncClient(timeout=30) as client:
        url = edge.url + "/inbound/email/mailgun/mime"
        return await client.post(url, content=urlencode(fields).encode(), headers=headers)


@pytest.mark.parametrize(
    ("rcpt", "key", "tenant", "account"),
    [
        ("help@alpha.test", "alpha-key-new-0002", "t-alpha", "alpha.test"),
        ("help@alpha.test", "alpha-key-old-0001", "t-alpha", "alpha.test"),  # rotated: valid
        ("sales@beta.test", "beta-key-0001", "t-beta", "beta.test"),
    ],
)
async def test_each_domain_verifies_with_its_own_keys_and_gets_its_tenant(
    edge: Edge, rcpt: str, key: str, tenant: str, account: str
) -> None:
    mid = f"<{key}-{rcpt}@example.test>"
    resp = await post_mailgun(edge, rcpt, key, mid)
    assert resp.status_code == 200, resp.text
    [e] = [e for e in edge.received() if e.provider_message_id == mid]
    assert (e.tenant, e.channel.account_id) == (tenant, account)


async def test_another_accounts_key_is_401_and_nothing_is_produced(edge: Edge) -> None:
    before = edge.produced()
    resp = await post_mailgun(edge, "sales@beta.test", "alpha-key-new-0002", "<cross@x.test>")
    assert resp.status_code == 401 and resp.json()["error"] == "bad_signature"
    assert edge.produced() == before


async def test_an_unknown_recipient_is_404_and_nothing_is_produced(edge: Edge) -> None:
    before = edge.produced()
    resp = await post_mailgun(edge, "help@nowhere.test", "alpha-key-new-0002", "<nope@x.test>")
    assert resp.status_code == 404 and resp.json()["error"] == "unknown_account"
    assert "help@nowhere.test" in resp.json()["detail"]
    assert edge.produced() == before


async def test_accounts_added_and_removed_at_run_time(edge: Edge) -> None:
    resp = await post_mailgun(edge, "help@delta.test", "delta-key-0001", "<delta-1@x.test>")
    assert resp.status_code == 404
    edge.accounts.put(mailgun("delta.test", "t-delta", "delta-key-0001"))
    resp = await post_mailgun(edge, "help@delta.test", "delta-key-0001", "<delta-2@x.test>")
    assert resp.status_code == 200, resp.text
    # rotated by the admin API: the newest two values, the oldest dropped
    edge.accounts.put(mailgun("delta.test", "t-delta", "delta-key-0003", "delta-key-0002",
                              version=2))  # fmt: skip
    resp = await post_mailgun(edge, "help@delta.test", "delta-key-0001", "<delta-3@x.test>")
    assert resp.status_code == 401
    resp = await post_mailgun(edge, "help@delta.test", "delta-key-0002", "<delta-4@x.test>")
    assert resp.status_code == 200, resp.text
    edge.accounts.drop("email", "delta.test")
    resp = await post_mailgun(edge, "help@delta.test", "delta-key-0003", "<delta-5@x.test>")
    assert resp.status_code == 404
    got = sorted(e.provider_message_id for e in edge.received() if "delta" in e.provider_message_id)
    assert got == ["<delta-2@x.test>", "<delta-4@x.test>"]


async def post_mandrill(edge: Edge, msgs: list[tuple[str, str]], key: str) -> httpx.Response:
    batch = [{"event": "inbound", "msg": {"raw_msg": mail(mid, to=rcpt).decode(), "email": rcpt}}
             for rcpt, mid in msgs]  # fmt: skip
    params = {"mandrill_events": json.dumps(batch)}
    sig = mandrill_verify.sign(key.encode(), MANDRILL_URL, list(params.items()))
    headers = {"content-type": "application/x-www-form-urlencoded", "x-mandrill-signature": sig}
    async with httpx.AsyncClient(timeout=30) as client:
        url = edge.url + "/inbound/email/mandrill"
        return await client.post(url, content=urlencode(params).encode(), headers=headers)


async def test_a_mandrill_batch_routes_each_mail_by_its_own_recipient(edge: Edge) -> None:
    edge.accounts.put(mandrill("md-b.test", "t-beta", "md-shared-key"))
    msgs = [("a@md-a.test", "<md-a@x.test>"), ("b@md-b.test", "<md-b@x.test>")]
    resp = await post_mandrill(edge, msgs, "md-shared-key")
    assert resp.status_code == 200, resp.text
    where = {e.provider_message_id: e.tenant for e in edge.received()}
    assert (where["<md-a@x.test>"], where["<md-b@x.test>"]) == ("t-alpha", "t-beta")


async def test_a_mandrill_batch_naming_an_unknown_account_is_refused_whole(edge: Edge) -> None:
    before = edge.produced()
    msgs = [("a@md-a.test", "<md-c@x.test>"), ("z@nowhere.test", "<md-d@x.test>")]
    resp = await post_mandrill(edge, msgs, "md-shared-key")
    assert resp.status_code == 404 and resp.json()["error"] == "unknown_account"
    assert edge.produced() == before


async def test_a_mandrill_batch_must_verify_for_every_account_it_names(edge: Edge) -> None:
    edge.accounts.put(mandrill("md-c.test", "t-gamma", "md-gamma-key"))
    before = edge.produced()
    msgs = [("a@md-a.test", "<md-e@x.test>"), ("c@md-c.test", "<md-f@x.test>")]
    for key in ("md-shared-key", "md-gamma-key"):  # valid for one of the two accounts only
        resp = await post_mandrill(edge, msgs, key)
        assert resp.status_code == 401 and resp.json()["error"] == "bad_signature"
    assert edge.produced() == before
    resp = await post_mandrill(edge, msgs[1:], "md-gamma-key")
    assert resp.status_code == 200, resp.text


async def post_postmark(edge: Edge, rcpt: str, credential: str, mid: str) -> httpx.Response:
    doc = {"OriginalRecipient": rcpt, "RawEmail": mail(mid, to=rcpt).decode()}
    auth = "Basic " + base64.b64encode(credential.encode()).decode()
    headers = {"content-type": "application/json", "authorization": auth}
    async with httpx.AsyncClient(timeout=30) as client:
        url = edge.url + "/inbound/email/postmark"
        return await client.post(url, content=json.dumps(doc).encode(), headers=headers)


@pytest.mark.parametrize(
    ("credential", "status"),
    [
        ("inbound:pm-new-0002", 200),
        ("inbound:pm-old-0001", 200),  # the rotated password is still valid
        ("inbound:pm-wrong-0003", 401),
        ("other:pm-new-0002", 401),  # the account's password under another user
    ],
)
async def test_basic_auth_matches_the_routed_accounts_user_and_passwords(
    edge: Edge, credential: str, status: int
) -> None:
    before = edge.produced()
    mid = f"<pm-{credential}@x.test>"
    resp = await post_postmark(edge, "in@gamma.test", credential, mid)
    assert resp.status_code == status, resp.text
    assert (edge.produced() > before) == (status == 200)
    if status == 200:
        [e] = [e for e in edge.received() if e.provider_message_id == mid]
        assert (e.tenant, e.channel.account_id) == ("t-gamma", "in@gamma.test")
