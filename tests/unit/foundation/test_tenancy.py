"""Tenancy comes from configuration of channel accounts, never from a provider value."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hotline.events import Identifier
from hotline.settings import ServiceSettings
from hotline.tenancy import Tenancy

TENANCY = Tenancy(
    {"slack:T024BE7LD": "acme", "email:*": "acme", "whatsapp:1234567890": "globex"},
    default="house",
)


@pytest.mark.parametrize(
    ("kind", "account", "tenant"),
    [
        ("slack", "T024BE7LD", "acme"),  # the configured workspace
        ("slack", "TOTHER", "house"),  # an unknown team id is not a tenant of its own
        ("email", "support@acme.test", "acme"),  # the kind's wildcard
        ("whatsapp", "1234567890", "globex"),
        ("whatsapp", "999", "house"),
        ("widget", "acme-site", "house"),
    ],
)
def test_tenant_for(kind: str, account: str, tenant: str) -> None:
    assert TENANCY.tenant_for(kind, account) == tenant


def test_settings_read_the_map_from_json_in_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOTLINE_TENANTS", '{"slack:T1": "acme"}')
    monkeypatch.setenv("HOTLINE_DEFAULT_TENANT", "house")
    tenancy = ServiceSettings().tenancy()
    assert (tenancy.tenant_for("slack", "T1"), tenancy.tenant_for("slack", "T2")) == (
        "acme",
        "house",
    )


def test_a_key_without_an_account_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_TENANTS", '{"slack": "acme"}')
    with pytest.raises(ValidationError, match="kind:account"):
        ServiceSettings()


@pytest.mark.parametrize(
    ("verified", "level", "trust"),
    [
        (True, None, "provider_verified"),  # events from before levels existed
        (False, None, "unverified"),
        (True, "dmarc_aligned", "dmarc_aligned"),
        (False, "carrier_asserted", "carrier_asserted"),
    ],
)
def test_identifier_trust(verified: bool, level: str | None, trust: str) -> None:
    ident = Identifier(kind="email", value="a@b.test", source="t", verified=verified, level=level)  # type: ignore[arg-type]
    assert ident.trust() == trust
