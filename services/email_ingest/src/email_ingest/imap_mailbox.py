"""One polled mailbox as configuration: where it is, how we reach it (TLS), how we log in
(password or XOAUTH2 with a refresh token) and which channel account its mail belongs to.

A mailbox is one small, self-contained object so it can later come from a runtime channel
account instead of the environment (``HOTLINE_IMAP_MAILBOXES`` JSON today).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, SecretStr, model_validator

Security = Literal["imaps", "starttls", "plain"]
DEFAULT_PORTS: dict[str, int] = {"imaps": 993, "starttls": 143, "plain": 143}
_UNSAFE = re.compile(r"[^A-Za-z0-9._@-]+")


class OAuthSettings(BaseModel):
    """XOAUTH2 with the refresh_token grant (RFC 6749 §6) against ``token_url``.

    Google: ``https://oauth2.googleapis.com/token`` (scope ``https://mail.google.com/``).
    Microsoft: ``https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token`` (scope
    ``https://outlook.office.com/IMAP.AccessAsUser.All offline_access``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    token_url: str
    client_id: str
    client_secret: SecretStr | None = None  # absent for public clients
    refresh_token: SecretStr
    scope: str | None = None  # sent with the grant when set (Microsoft wants it)
    refresh_margin_s: float = 300.0  # refresh this long before the access token expires
    timeout_s: float = 15.0

    @model_validator(mode="after")
    def _token_url_is_http(self) -> OAuthSettings:
        if not self.token_url.startswith(("https://", "http://")):
            raise ValueError(f"oauth.token_url: expected an http(s) URL, got {self.token_url!r}")
        return self


class MailboxSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str
    username: str
    security: Security = "imaps"  # "plain" only when configured explicitly
    port: int | None = None  # None: 993 for imaps, 143 otherwise
    ca_file: Path | None = None  # trust this CA (PEM) instead of the system's
    password: SecretStr | None = None
    oauth: OAuthSettings | None = None
    folder: str = "INBOX"
    account_id: str | None = None  # the channel account (tenant lookup); None: username
    name: str | None = None  # for logs and the checkpoint file; None: username@host/folder
    checkpoint: Path | None = None  # None: <imap_checkpoint_dir>/<name>.json
    batch: int = 50
    poll_s: float = 5.0
    post_action: str = "leave"  # leave | seen | move:<folder>

    @model_validator(mode="after")
    def _one_way_to_log_in(self) -> MailboxSettings:
        if (self.password is None) == (self.oauth is None):
            raise ValueError(f"mailbox {self.label}: set exactly one of password or oauth")
        if not (self.post_action in ("leave", "seen") or self.post_action.startswith("move:")):
            raise ValueError(f"mailbox {self.label}: post_action must be leave|seen|move:<folder>")
        return self

    @property
    def label(self) -> str:
        return self.name or f"{self.username}@{self.host}/{self.folder}"

    @property
    def identity(self) -> str:
        """What a checkpoint belongs to: the same login and folder on the same server."""
        return f"{self.username}@{self.host}/{self.folder}"

    @property
    def tcp_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]

    @property
    def channel_account(self) -> str:
        return self.account_id or self.username

    def checkpoint_path(self, directory: Path) -> Path:
        return self.checkpoint or directory / f"{_UNSAFE.sub('_', self.label)}.json"


def check_distinct(mailboxes: list[MailboxSettings], directory: Path) -> None:
    """Two mailboxes never share a name, a login+folder or a checkpoint file."""
    for what, key in (
        ("name", lambda m: m.label),
        ("username@host/folder", lambda m: m.identity),
        ("checkpoint", lambda m: str(m.checkpoint_path(directory).resolve())),
    ):
        seen: set[str] = set()
        for mailbox in mailboxes:
            value = key(mailbox)
            if value in seen:
                raise ValueError(f"imap mailboxes: two mailboxes have the same {what} {value!r}")
            seen.add(value)
