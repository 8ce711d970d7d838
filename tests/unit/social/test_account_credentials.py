"""The accounts' side that needs no request: the environment's fallback accounts built from the
settings (none for an unset secret outside dev), the account ids a Meta body names (pure), and
the token each reply is sent with (its channel account's newest, else the environment's)."""

from __future__ import annotations

import json

import httpx
import pytest

from hotline import events as ev
from hotline.accounts import Account, AccountRegistry
from hotline.accounts.registry import ANY
from hotline.kafka.errors import PermanentError
from social_ingest.accounts import env_accounts, registry_for
from social_ingest.credentials import Tokens, arrived_on, reply_credentials
from social_ingest.providers.meta.accounts import page_ids, whatsapp_numbers
from social_ingest.replies import Replies
from social_ingest.settings import SocialSettings
from social_ingest.window_store import WindowStore
from tests.unit.social.edges import TWILIO_TOKEN, settings_for
from tests.unit.social.test_outbound import reply
from tests.unit.social.test_whatsapp_edge import text_webhook

ENV = settings_for("127.0.0.1:1", 1)


def test_the_environments_accounts_one_per_kind() -> None:
    got = {(a.kind, a.account_id): a for a in env_accounts(ENV)}
    assert set(got) == {
        ("whatsapp", ANY),
        ("messenger", ANY),
        ("instagram", ANY),
        ("telegram", "bot"),
        ("sms", ANY),
        ("x", ANY),
    }
    wa = got["whatsapp", ANY]
    assert (wa.tenant, wa.secret("access_token"), wa.version) == ("acme", "it-wa-token", 0)
    assert set(wa.secrets) == {"app_secret", "verify_token", "access_token"}
    assert got["sms", ANY].settings["webhook_url"] == ENV.twilio_webhook_url
    assert "it-" not in repr(wa)  # secrets never in a repr (logs)


def test_an_unset_secret_outside_dev_is_no_environment_account() -> None:
    unset = settings_for("127.0.0.1:1", 1, ("meta_app_secret", "telegram_bot_token"))
    kinds = {a.kind: a for a in env_accounts(unset)}
    assert "whatsapp" not in kinds and "messenger" not in kinds
    assert "bot_token" not in kinds["telegram"].secrets  # its inbound secret is set
    dev = SocialSettings(env="dev")  # the published dev- secrets: every account, loudly
    assert len(env_accounts(dev)) == 6


def wa_body(*numbers: str, broken: bool = False) -> bytes:
    hook = json.loads(text_webhook("wamid.n", "hi"))
    template = hook["entry"][0]
    hook["entry"] = []
    for number in numbers:
        entry = json.loads(json.dumps(template))
        entry["changes"][0]["value"]["metadata"]["phone_number_id"] = number
        hook["entry"].append(entry)
    if broken:
        hook["entry"][0]["changes"][0]["value"]["metadata"] = {"phone_number_id": 7}
    return json.dumps(hook).encode()


UPDATE = {"field": "account_update", "value": {"phone_number": "1"}}
NAMED = [
    (wa_body("pn-1"), ["pn-1"]),
    (wa_body("pn-1", "pn-2"), ["pn-1", "pn-2"]),
    (json.dumps({"object": "whatsapp_business_account", "entry": []}).encode(), []),
    (
        json.dumps(
            {"object": "whatsapp_business_account", "entry": [{"id": "w", "changes": [UPDATE]}]}
        ).encode(),
        [],
    ),
    (wa_body("pn-1", "pn-2", broken=True), ["pn-2"]),  # the normalizer refuses it all: 422
    (b"{", []),
    (b"[]", []),
    (json.dumps({"object": "page", "entry": []}).encode(), []),
]


@pytest.mark.parametrize(("body", "ids"), NAMED)
def test_the_phone_number_ids_a_whatsapp_body_names(body: bytes, ids: list[str]) -> None:
    assert whatsapp_numbers(body) == ids


PAGES = [
    (b'{"object":"page","entry":[{"id":"p1"},{"id":"p2","messaging":[]}]}', ["p1", "p2"]),
    (b'{"object":"instagram","entry":[{"id":"ig1","time":1}]}', ["ig1"]),
    (b'{"object":"page","entry":[{"time":1}]}', []),  # entry id missing: the normalizer's 422
    (b'{"object":"page","entry":[{"id":5}]}', []),
    (b'{"object":"telepathy","entry":[{"id":"p1"}]}', []),
    (b"not json", []),
]


@pytest.mark.parametrize(("body", "ids"), PAGES)
def test_the_page_ids_a_messenger_or_instagram_body_names(body: bytes, ids: list[str]) -> None:
    assert page_ids(body) == ids


def registry() -> AccountRegistry:
    reg = registry_for(ENV)
    reg.put(Account("whatsapp", "pn-a", "t", {"access_token": ("wa-new", "wa-old")}, version=1))
    reg.put(Account("telegram", "111", "t", {"secret_token": ("s",)}, version=1))  # no bot_token
    numbers = {"numbers": ["+15550001"]}
    reg.put(Account("sms", "ACaaa", "t", {"auth_token": ("tw-new", "tw-old")}, numbers, version=1))
    return reg


CREDENTIALS = [
    ("whatsapp", "pn-a", "wa-new", ENV.twilio_account_sid),
    ("whatsapp", "pn-z", "it-wa-token", ENV.twilio_account_sid),  # the environment's "*"
    ("telegram", "bot", "it-bot-token", ENV.twilio_account_sid),
    ("sms", "+15550001", "tw-new", "ACaaa"),
    ("sms", "+19999999", TWILIO_TOKEN, ENV.twilio_account_sid),
    ("messenger", "page-1", "it-page-token", ENV.twilio_account_sid),
]


@pytest.mark.parametrize(("kind", "account", "token", "sid"), CREDENTIALS)
def test_a_reply_uses_its_accounts_newest_token(
    kind: ev.ChannelKind, account: str, token: str, sid: str
) -> None:
    auth = reply_credentials(registry(), ENV, ev.ChannelRef(kind=kind, account_id=account))
    assert (auth.token, auth.account_sid) == (token, sid)


def test_no_token_for_the_account_fails_the_reply_instead_of_borrowing_one() -> None:
    with pytest.raises(PermanentError) as managed:
        reply_credentials(registry(), ENV, ev.ChannelRef(kind="telegram", account_id="111"))
    assert managed.value.reason == "no_token"
    bare = settings_for("127.0.0.1:1", 1, ("meta_app_secret", "whatsapp_token"))
    with pytest.raises(PermanentError) as env:
        reply_credentials(registry_for(bare), bare, ev.ChannelRef(kind="whatsapp", account_id="p"))
    assert env.value.reason == "no_token"


def test_a_disabled_account_sends_nothing_not_even_with_the_environments_token() -> None:
    reg = registry()
    reg.put(
        Account("whatsapp", "pn-a", "t", {"access_token": ("wa-new",)}, enabled=False, version=2)
    )
    with pytest.raises(PermanentError) as off:
        reply_credentials(reg, ENV, ev.ChannelRef(kind="whatsapp", account_id="pn-a"))
    assert off.value.reason == "account_disabled"
    # another number still goes out on the environment's "*"
    other = reply_credentials(reg, ENV, ev.ChannelRef(kind="whatsapp", account_id="pn-z"))
    assert other.token == "it-wa-token"


async def test_the_replies_consumer_sends_with_the_accounts_token() -> None:
    store = WindowStore(":memory:")
    async with httpx.AsyncClient() as client:
        replies = Replies(ENV, store, client, _publish, accounts=registry())
        call, _ = replies.plan(reply("whatsapp", "pn-a", "4915112345678"), "free")
        sms, _ = replies.plan(reply("sms", "+15550001", "+4915112345678"), "free")
    store.close()
    assert call.headers["authorization"] == "Bearer wa-new"
    assert sms.auth == ("ACaaa", "tw-new") and "/Accounts/ACaaa/" in sms.url


async def _publish(events: object) -> None:
    return None


SMS_A = Account("sms", "ACaaa", "t", {"auth_token": ("tw-new",)}, version=1)
PN_A = Account("whatsapp", "pn-a", "t", {"access_token": ("wa-new",)}, version=1)
ENV_WA = next(a for a in env_accounts(ENV) if a.kind == "whatsapp")
ARRIVED = [  # (routed accounts, the event's kind and account) -> the account it arrived on
    ([PN_A, ENV_WA], "whatsapp", "pn-a", PN_A),
    ([PN_A, ENV_WA], "whatsapp", "pn-z", ENV_WA),  # routed to the environment's "*"
    ([SMS_A], "sms", "+15550002", SMS_A),  # events name our number, the account the AccountSid
    ([PN_A], "whatsapp", "pn-b", None),  # not among the request's: the registry decides
    ([], "sms", "+15550002", None),
]


@pytest.mark.parametrize(("routed", "kind", "account", "want"), ARRIVED)
def test_the_account_an_event_arrived_on(
    routed: list[Account], kind: str, account: str, want: Account | None
) -> None:
    assert arrived_on(routed, kind, account) is want


TOKENS = [  # media and profiles: (kind, account, routed) -> token, Twilio user
    ("whatsapp", "pn-a", [], ("wa-new", ENV.twilio_account_sid)),
    ("whatsapp", "pn-z", [], ("it-wa-token", ENV.twilio_account_sid)),  # the environment's "*"
    ("telegram", "bot", [], ("it-bot-token", ENV.twilio_account_sid)),
    ("telegram", "111", [], None),  # the managed bot has no bot_token: not the env's
    ("telegram", "999", [], None),  # no such bot (gone, disabled): no token at all
    ("sms", "+15559999", [SMS_A], ("tw-new", "ACaaa")),  # not a number in "numbers": routed
    ("sms", "+15559999", [], (TWILIO_TOKEN, ENV.twilio_account_sid)),
    ("x", "4337869213", [], ("it-x-bearer", ENV.twilio_account_sid)),
    ("widget", "site", [], None),
]


@pytest.mark.parametrize(("kind", "account", "routed", "want"), TOKENS)
def test_media_and_profiles_use_the_token_of_the_account_the_event_arrived_on(
    kind: str, account: str, routed: list[Account], want: tuple[str, str] | None
) -> None:
    found = Tokens(registry(), ENV).of(kind, account, routed)
    assert (found and (found.token, found.account_sid)) == want
