"""Widget sites as channel accounts (kind ``widget``, id: the site key of the hello frame).

Secret ``site_secret``: every value checks visitor tokens, identifier hashes and identity
tokens (rotation: two); the newest signs new visitor tokens. Settings ``origins`` (allowed page
origins; none: any) and ``identity_required`` (verified visitors only). A site is looked up at
each hello, so one added, rotated or removed at runtime counts for the next socket."""

from __future__ import annotations

from dataclasses import dataclass

from chat_gateway.settings import ChatSettings
from hotline.accounts import Account, AccountRegistry
from hotline.http import Rejected

KIND = "widget"
NO_ORIGIN = ""  # never a page's origin: a site whose origins are malformed admits none


@dataclass(frozen=True)
class Site:
    key: str
    tenant: str
    secrets: tuple[str, ...]  # newest first
    origins: frozenset[str]  # empty: any
    identity_required: bool = False


def widget_fallback(settings: ChatSettings) -> list[Account]:
    """The environment's sites (``HOTLINE_WIDGET_SITES``), each under its site key."""
    tenancy = settings.tenancy()
    return [
        Account(
            KIND,
            key,
            site.tenant or tenancy.tenant_for(KIND, key),
            {"site_secret": (site.secret.get_secret_value(),)},
            {"origins": list(site.origins), "identity_required": site.identity_required},
        )
        for key, site in settings.widget_sites.items()
    ]


def site_of(account: Account) -> Site:
    said = account.settings
    return Site(
        account.account_id,
        account.tenant,
        account.secret_values("site_secret"),
        origins_of(said.get("origins")),
        bool(said.get("identity_required")),  # any true value, text included: fail closed
    )


def origins_of(value: object) -> frozenset[str]:
    """A list of origins (or one as text); any other shape admits no page rather than all."""
    if value is None:
        return frozenset()
    listed = [value] if isinstance(value, str) else value
    if isinstance(listed, list) and all(isinstance(o, str) for o in listed):
        return frozenset(listed)
    return frozenset({NO_ORIGIN})


class Sites:
    def __init__(self, registry: AccountRegistry) -> None:
        self.registry = registry

    def route(self, key: str) -> Site:
        """The enabled site, or Rejected(404) when there is none (unknown or disabled)."""
        return site_of(self._account(key))

    def tenant(self, key: str) -> str:
        """The enabled site's tenant (each message of an open socket asks: no Site built)."""
        return self._account(key).tenant

    def _account(self, key: str) -> Account:
        account = self.registry.find(KIND, key)
        if account is None or not account.secrets.get("site_secret"):
            raise Rejected(404, "unknown_site", f"no widget site {key!r} here")
        return account

    def find(self, key: str) -> Site | None:
        try:
            return self.route(key)
        except Rejected:
            return None
