"""The edges' registry of channel accounts: managed over environment, ``*`` fallback, disabled
means unknown, versions only move forward, listeners hear every change."""

from __future__ import annotations

import pytest

from hotline.accounts import Account, AccountRegistry, Unknown
from hotline.accounts.registry import ANY


def _acct(account_id: str, tenant: str = "acme", version: int = 1, **kw: object) -> Account:
    return Account("whatsapp", account_id, tenant, version=version, **kw)  # type: ignore[arg-type]


def test_managed_account_wins_over_environment_and_wildcard() -> None:
    reg = AccountRegistry([_acct(ANY, "env", 0), _acct("111", "env-exact", 0)])
    assert reg.route("whatsapp", "999").tenant == "env"
    assert reg.route("whatsapp", "111").tenant == "env-exact"
    reg.put(_acct("111", "managed"))
    assert reg.route("whatsapp", "111").tenant == "managed"


def test_unknown_kind_or_id_without_wildcard_is_refused() -> None:
    reg = AccountRegistry([_acct("111")])
    with pytest.raises(Unknown, match="whatsapp account '222'"):
        reg.route("whatsapp", "222")
    with pytest.raises(Unknown):
        reg.route("telegram", "111")


def test_disabled_managed_account_is_unknown_even_with_a_wildcard() -> None:
    reg = AccountRegistry([_acct(ANY, "env", 0)])
    reg.put(_acct("111", enabled=False))
    assert reg.find("whatsapp", "111") is None
    assert reg.find("whatsapp", "222") is not None


def test_older_versions_are_ignored_and_drop_tells_listeners() -> None:
    reg, heard = AccountRegistry(), []
    reg.listen(
        lambda before, after: heard.append((before and before.version, after and after.version))
    )
    reg.put(_acct("111", version=2))
    reg.put(_acct("111", "other", version=1))
    assert reg.route("whatsapp", "111").tenant == "acme"
    reg.drop("whatsapp", "111")
    assert heard == [(None, 2), (2, None)]
    assert reg.find("whatsapp", "111") is None


def test_secrets_newest_first_and_never_in_repr() -> None:
    acct = _acct("111", secrets={"app_secret": ("new-value", "old-value")})
    assert acct.secret("app_secret") == "new-value"
    assert acct.secret_values("app_secret") == ("new-value", "old-value")
    assert acct.secret("missing") is None
    shown = repr(acct)
    assert "new-value" not in shown and "old-value" not in shown and "app_secret" in shown


def test_of_kind_lists_own_ids_only() -> None:
    reg = AccountRegistry([_acct(ANY, "env", 0), _acct("111", version=0)])
    reg.put(_acct("222"))
    reg.put(Account("telegram", "bot1", "acme"))
    assert [a.account_id for a in reg.of_kind("whatsapp")] == ["111", "222"]
