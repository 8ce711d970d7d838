"""The token a channel account calls its provider's API with: replies, media downloads,
profile lookups. Always the account's newest value (``Account.secret``), looked up at each call.

* A reply: the account its channel names (SMS: the one listing our number in ``numbers``),
  else (no account of that kind at all) the environment's token, as before.
* Media and profiles: the account the event arrived on (the account the webhook was routed
  to: a managed one, or the environment's ``*`` with the environment's token). An account
  without the token, or one gone or disabled since, has none: the download fails
  (``no_token``), the lookup is skipped; another account's token is never used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hotline import events as ev
from hotline.accounts import Account, AccountRegistry
from hotline.accounts.registry import ANY
from hotline.kafka.errors import PermanentError
from social_ingest.accounts import ENV_SECRETS, reply_account
from social_ingest.settings import SocialSettings

# kind -> the account secret its API calls are made with (its settings field: ENV_SECRETS')
TOKENS = {
    "whatsapp": "access_token",
    "messenger": "page_token",
    "instagram": "page_token",
    "telegram": "bot_token",
    "sms": "auth_token",
    "x": "bearer_token",
}


@dataclass(frozen=True, repr=False)
class Credentials:
    token: str  # the account's newest value
    account_sid: str  # Twilio's account (SMS: the Basic-auth user), the environment's unless routed


def credentials(account: Account, settings: SocialSettings) -> Credentials | None:
    """``account``'s newest token; None when it has none."""
    token = account.secret(TOKENS[account.kind]) if account.kind in TOKENS else None
    if not token:
        return None
    own_sid = account.kind == "sms" and account.account_id != ANY
    return Credentials(token, account.account_id if own_sid else settings.twilio_account_sid)


def reply_credentials(
    registry: AccountRegistry, settings: SocialSettings, channel: ev.ChannelRef
) -> Credentials:
    """The token a reply on ``channel`` is sent with: its account's newest, else (no account
    for it) the environment's; none configured: the reply fails (``no_token``)."""
    if channel.kind not in TOKENS:
        raise PermanentError("unsupported_channel", channel.kind)
    name = TOKENS[channel.kind]
    account = reply_account(registry, channel.kind, channel.account_id)
    if registry.disabled(channel.kind, channel.account_id):
        raise PermanentError("account_disabled", f"{channel.kind}:{channel.account_id}")
    if account is not None:
        found = credentials(account, settings)
    else:
        token = settings.account_secret_value(ENV_SECRETS[channel.kind][1][name])
        found = Credentials(token, settings.twilio_account_sid) if token else None
    if found is None:
        raise PermanentError("no_token", f"no {name} for {channel.kind}:{channel.account_id}")
    return found


def arrived_on(routed: Sequence[Account], kind: str, account_id: str) -> Account | None:
    """Which of a request's routed accounts an event on (kind, account id) arrived on: the one
    with that id, else the environment's ``*``; for SMS (whose events name our number, while
    the account is the form's AccountSid) the request's one account."""
    same = {a.account_id: a for a in routed if a.kind == kind}
    found = same.get(account_id) or same.get(ANY)
    if found is None and kind == "sms" and len(same) == 1:
        found = next(iter(same.values()))
    return found


@dataclass(frozen=True)
class Tokens:
    """Credentials of the account an event arrived on, for the media copier and the profile
    enricher: the request's routed account when known, else the registry's for the channel."""

    registry: AccountRegistry
    settings: SocialSettings

    def of(self, kind: str, account_id: str, routed: Sequence[Account] = ()) -> Credentials | None:
        account = arrived_on(routed, kind, account_id) or self.registry.find(kind, account_id)
        return credentials(account, self.settings) if account is not None else None

    def token(self, kind: str, account_id: str) -> str | None:
        found = self.of(kind, account_id)
        return found.token if found is not None else None
