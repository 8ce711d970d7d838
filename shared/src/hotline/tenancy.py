"""Which tenant a channel account belongs to: configuration, never a provider value.

Every channel account (a mail domain or mailbox, a Slack workspace, a WhatsApp number, a widget
site, a Meta page, a Telegram bot, a Twilio number, an X account) maps to a tenant through
``HOTLINE_TENANTS``, a JSON object whose keys are ``"<channel kind>:<account id>"`` or
``"<channel kind>:*"`` (every account of that kind) and whose values are tenant names.
Accounts it does not name belong to ``HOTLINE_DEFAULT_TENANT``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

WILDCARD = "*"


@dataclass(frozen=True)
class Tenancy:
    accounts: Mapping[str, str] = field(default_factory=dict)  # "kind:account" -> tenant
    default: str = "default"

    def tenant_for(self, kind: str, account_id: str) -> str:
        """The tenant of one channel account: exact entry, then the kind's wildcard, then the
        default."""
        exact = self.accounts.get(f"{kind}:{account_id}")
        if exact is not None:
            return exact
        return self.accounts.get(f"{kind}:{WILDCARD}", self.default)

    def problems(self) -> list[str]:
        """Keys that are not ``kind:account``: reported at start-up instead of ignored."""
        return [k for k in self.accounts if k.count(":") < 1 or not k.split(":", 1)[1]]
