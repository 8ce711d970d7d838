"""chat_gateway settings (HOTLINE_* environment variables; dicts as JSON)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator

from hotline.settings import ServiceSettings, is_placeholder

# a placeholder, refused outside env=dev; 32 bytes or more, as HS256 keys should be
DEV_DEMO_SECRET = "dev-demo-widget-secret-of-32-bytes-or-more"


class SlackWorkspaceSettings(BaseModel):
    """One Slack workspace: its app's signing secret and bot token (its tenant comes from
    ``HOTLINE_TENANTS``' ``slack:<team id>`` entry, never from the team id itself)."""

    signing_secret: SecretStr
    bot_token: SecretStr
    app_token: SecretStr | None = None  # xapp-...: Socket Mode (one connection per app token)
    bot_user_id: str | None = None  # our bot's user id: its messages are ignored
    app_id: str | None = None  # our app id: its messages are ignored
    trusted: bool = False  # its members' profile emails are provider_verified (may auto-link)


class WidgetSite(BaseModel):
    """One website embedding the widget: HMAC secret for identifier_hash and visitor tokens."""

    secret: SecretStr
    tenant: str | None = None  # None: HOTLINE_TENANTS' "widget:<site>" entry (or the default)
    origins: list[str] = Field(default_factory=list)  # allowed page origins; empty: any
    identity_required: bool = False  # as Chatwoot's hmac_mandatory: no anonymous visitors


class ChatSettings(ServiceSettings):
    service: str = "chat_gateway"
    port: int = 8102
    ack_timeout: float = 2.5  # answer (503 if need be) inside Slack's 3 s window
    slack_workspaces: dict[str, SlackWorkspaceSettings] = Field(default_factory=dict)
    slack_mode: Literal["http", "socket"] = "http"  # Events API over HTTP, or Socket Mode
    slack_api_base: str = "https://slack.com/api/"
    slack_api_timeout: float = 5.0
    slack_profiles: bool = True  # look senders up with users.info (name, email)
    slack_profile_timeout: float = 1.0  # spent inside Slack's 3 s ack window on a cache miss
    slack_profile_ttl: float = 3600.0
    slack_profile_retry_after: float = 60.0  # a failed lookup is not tried again before this
    widget_sites: dict[str, WidgetSite] = Field(default_factory=dict)
    widget_max_text: int = 8000
    widget_max_frame: int = 64 * 1024
    blob_dir: Path | None = None  # set, or blob_store=s3: Slack files are copied into the store
    slack_file_hosts: list[str] = Field(default_factory=lambda: ["files.slack.com"])
    slack_file_max_bytes: int = 25 * 1024 * 1024
    slack_file_timeout: float = 2.0  # inside Slack's 3 s ack window
    replies_group: str = "chat_gateway.replies"
    replies_enabled: bool = True
    # ACCOUNT_SECRETS stays empty: every workspace's and site's secrets are nested in
    # slack_workspaces and widget_sites (the validator below refuses their placeholders), and
    # those build the fallback accounts (chat_gateway.accounts).

    @model_validator(mode="after")
    def _no_placeholder_nested_secrets(self) -> ChatSettings:
        if self.env == "dev":
            if not self.widget_sites:  # `make run`: the /chat/demo page works out of the box
                self.widget_sites = {"demo": WidgetSite(secret=SecretStr(DEV_DEMO_SECRET))}
            return self
        nested: list[tuple[str, SecretStr]] = []
        for team, ws in self.slack_workspaces.items():
            nested += [
                (f"slack {team} signing_secret", ws.signing_secret),
                (f"slack {team} bot_token", ws.bot_token),
            ]
            if ws.app_token is not None:
                nested.append((f"slack {team} app_token", ws.app_token))
        nested += [(f"widget {site} secret", s.secret) for site, s in self.widget_sites.items()]
        for name, secret in nested:
            if is_placeholder(secret):
                raise ValueError(f"{name}: placeholder secret not allowed in env={self.env}")
        return self
