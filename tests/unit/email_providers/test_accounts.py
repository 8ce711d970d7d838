"""Provider mail routed to its channel account by recipient (exact address, then domain, then
the environment's catch-all for that provider), each account's secret values accepted, and the
environment's provider settings as catch-all accounts."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from email_ingest.accounts import fallback_accounts
from email_ingest.providers.accounts import catch_all, config_for, credentials, route
from email_ingest.providers.settings import MailgunSettings, PostmarkSettings
from email_ingest.settings import EmailSettings
from hotline.accounts.registry import Account, AccountRegistry, Unknown
from tests.unit.email_providers.helpers import CONFIG

ALPHA = Account(
    "email", "alpha.test", "t-alpha", {"signing_key": ("alpha-new", "alpha-old")},
    {"source": "mailgun"}, version=1,
)  # fmt: skip
BETA = Account(
    "email", "beta.test", "t-beta", {"signing_key": ("beta-key",)}, {"source": "mailgun"},
    version=1,
)  # fmt: skip
VIP = Account(
    "email", "vip@alpha.test", "t-vip", {"signing_key": ("vip-key",)}, {"source": "mailgun"},
    version=1,
)  # fmt: skip
POSTMARK = Account(
    "email", "gamma.test", "t-gamma", {"basic_password": ("pw-new", "pw-old")},
    {"source": "postmark", "basic_user": "pm"}, version=1,
)  # fmt: skip


def registry(*accounts: Account, fallback: tuple[Account, ...] = ()) -> AccountRegistry:
    reg = AccountRegistry(fallback)
    for account in accounts:
        reg.put(account)
    return reg


@pytest.mark.parametrize(
    ("rcpts", "expected"),
    [
        (("help@alpha.test",), "alpha.test"),  # the domain's account
        (("Help@Alpha.TEST",), "alpha.test"),  # addresses compare lower-cased
        (("Jo <help@beta.test>",), "beta.test"),  # a display name around it
        (("vip@alpha.test",), "vip@alpha.test"),  # the exact address wins over its domain
        (("nobody@else.test", "help@beta.test"), "beta.test"),  # the first that has one
    ],
)
def test_a_recipient_routes_to_its_address_or_domain(rcpts: tuple[str, ...], expected: str) -> None:
    assert route(registry(ALPHA, BETA, VIP), "mailgun", rcpts).account_id == expected


@pytest.mark.parametrize("rcpts", [("help@else.test",), (), ("help@gamma.test",)])
def test_no_account_of_this_provider_is_unknown(rcpts: tuple[str, ...]) -> None:
    # gamma.test takes Postmark mail only: not Mailgun's account
    with pytest.raises(Unknown):
        route(registry(ALPHA, BETA, POSTMARK), "mailgun", rcpts)


def test_a_disabled_account_is_unknown() -> None:
    off = Account("email", "alpha.test", "t-alpha", ALPHA.secrets, ALPHA.settings, False, 2)
    with pytest.raises(Unknown):
        route(registry(ALPHA, off), "mailgun", ("help@alpha.test",))


def test_the_catch_all_takes_what_no_account_takes() -> None:
    env = Account("email", catch_all("mailgun"), "acme", {"signing_key": ("k",)},
                  {"source": "mailgun", "channel_account": "support@acme.test"})  # fmt: skip
    reg = registry(ALPHA, fallback=(env,))
    assert route(reg, "mailgun", ("help@else.test",)) is env
    assert route(reg, "mailgun", ("help@alpha.test",)).account_id == "alpha.test"
    with pytest.raises(Unknown):
        route(reg, "postmark", ("help@else.test",))  # another provider's catch-all


def test_every_value_of_the_secret_is_a_credential() -> None:
    assert credentials(ALPHA, "mailgun") == [b"alpha-new", b"alpha-old"]
    assert credentials(POSTMARK, "postmark") == [b"pm:pw-new", b"pm:pw-old"]
    assert credentials(Account("email", "x", "t"), "mailgun") == []


def test_the_account_picks_tenant_and_channel_account() -> None:
    config = config_for(CONFIG, ALPHA)
    assert (config.tenant, config.account_id) == ("t-alpha", "alpha.test")
    env = Account("email", catch_all("postmark"), "beta", settings={"channel_account": "in@b"})
    assert (config_for(CONFIG, env).tenant, config_for(CONFIG, env).account_id) == ("beta", "in@b")


def test_the_environment_providers_are_catch_all_accounts() -> None:
    s = EmailSettings(
        env="test",
        webhook_secrets=[SecretStr("a-real-webhook-secret-0001")],
        tenants={"email:in@beta.test": "beta"},
        default_tenant="acme",
        mailgun=MailgunSettings(signing_keys=[SecretStr("new-key"), SecretStr("old-key")]),
        postmark=PostmarkSettings(
            basic_auth=[SecretStr("pm:pw-2"), SecretStr("pm:pw-1"), SecretStr("other:pw-x")],
            account_id="in@beta.test",
        ),
    )
    found = {a.account_id: a for a in fallback_accounts(s)}
    assert sorted(found) == ["*mailgun", "*postmark"]  # the others are not configured
    mailgun, postmark = found["*mailgun"], found["*postmark"]
    assert mailgun.secret_values("signing_key") == ("new-key", "old-key")
    assert (mailgun.tenant, mailgun.settings["channel_account"]) == ("acme", "support@localhost")
    assert credentials(postmark, "postmark") == [b"pm:pw-2", b"pm:pw-1"]
    assert (postmark.tenant, postmark.settings["channel_account"]) == ("beta", "in@beta.test")
    assert "new-key" not in repr(mailgun) and "pw-2" not in repr(postmark)
