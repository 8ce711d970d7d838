"""Slack workspaces as channel accounts (kind ``slack``, id: the team id).

Secrets: ``signing_secret`` (every value checks the v0 signature), ``bot_token`` (the newest
one calls the Web API), optional ``app_token`` (Socket Mode). Optional settings, as
``HOTLINE_SLACK_WORKSPACES`` has them: ``bot_user_id`` and ``app_id`` (our own bot's messages
are ignored) and ``trusted`` (its members' profile emails are provider_verified).

``SlackAccounts`` is the registry seen as the pure layer's ``team id -> Workspace`` mapping,
looked up on every request, so an account added, rotated or removed at runtime counts for the
next request."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from chat_gateway.settings import ChatSettings
from chat_gateway.slack.pipeline import Workspace
from chat_gateway.tokens import NewestSecret
from hotline.accounts import Account, AccountRegistry

KIND = "slack"


def slack_fallback(settings: ChatSettings) -> list[Account]:
    """The environment's workspaces (``HOTLINE_SLACK_WORKSPACES``), each under its team id."""
    tenancy, accounts = settings.tenancy(), []
    for team, ws in settings.slack_workspaces.items():
        secrets = {"signing_secret": ws.signing_secret, "bot_token": ws.bot_token}
        if ws.app_token is not None:
            secrets["app_token"] = ws.app_token
        extra = {"bot_user_id": ws.bot_user_id, "app_id": ws.app_id, "trusted": ws.trusted}
        accounts.append(
            Account(
                KIND,
                team,
                tenancy.tenant_for(KIND, team),
                {name: (value.get_secret_value(),) for name, value in secrets.items()},
                {k: v for k, v in extra.items() if v is not None},
            )
        )
    return accounts


def workspace_of(account: Account) -> Workspace:
    """What the pure layer needs of one Slack account."""
    said = account.settings
    return Workspace(
        account.secret_values("signing_secret"),
        _text(said.get("bot_user_id")),
        _text(said.get("app_id")),
        tenant=account.tenant,
        trusted=said.get("trusted") is True,
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


class SlackAccounts(Mapping[str, Workspace]):
    """The enabled Slack accounts by team id, read from the registry at each lookup."""

    def __init__(self, registry: AccountRegistry) -> None:
        self.registry = registry
        self.bot_tokens = NewestSecret(registry, KIND, "bot_token")  # team -> newest bot token

    def __getitem__(self, team: str) -> Workspace:
        account = self.registry.find(KIND, team)
        if account is None:
            raise KeyError(team)
        return workspace_of(account)

    def __iter__(self) -> Iterator[str]:
        return iter([a.account_id for a in self.registry.of_kind(KIND)])

    def __len__(self) -> int:
        return len(self.registry.of_kind(KIND))

    def app_tokens(self) -> dict[str, list[str]]:
        """Socket Mode: the teams of each newest app-level token (one connection per token)."""
        teams: dict[str, list[str]] = {}
        for account in self.registry.of_kind(KIND):
            token = account.secret("app_token")
            if token is not None:
                teams.setdefault(token, []).append(account.account_id)
        return teams
