"""IMAP mailboxes as channel accounts (kind ``email``, ``settings.source = "imap"``).

An account is the mailbox address; its settings say where the server is and how to log in
(``auth``: ``password`` or ``xoauth2``), its secrets hold the ``password`` or the OAuth
``client_secret`` + ``refresh_token`` (newest first: a poller always logs in with the newest).
Each folder of ``folders`` is one polled mailbox with its own checkpoint.

The environment's mailboxes (``EmailSettings.mailboxes()``) become fallback accounts that
rebuild exactly today's mailbox: same label, same checkpoint file, same channel account.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from email_ingest.imap_mailbox import MailboxSettings, OAuthSettings
from hotline.accounts.registry import Account
from hotline.tenancy import Tenancy

KIND = "email"
IMAP = "imap"
# the optional settings copied as they are onto each folder's MailboxSettings
TUNING = ("checkpoint", "batch", "poll_s", "post_action")
OAUTH_TUNING = ("scope", "refresh_margin_s", "timeout_s")


def is_imap(account: Account | None) -> bool:
    return account is not None and account.kind == KIND and account.settings.get("source") == IMAP


def mailboxes_of(account: Account) -> list[MailboxSettings]:
    """One mailbox per folder; the label is the account's name (or id), plus the folder when
    the account has several."""
    s = account.settings
    folders: list[str] = list(s.get("folders") or ["INBOX"])
    name = str(s.get("name") or account.account_id)
    return [
        _mailbox(account, folder, name if len(folders) == 1 else f"{name}/{folder}")
        for folder in folders
    ]


def _mailbox(account: Account, folder: str, label: str) -> MailboxSettings:
    s = account.settings
    return MailboxSettings(
        host=s["host"],
        username=s.get("username") or account.account_id,
        security=s.get("security", "imaps"),
        port=s.get("port"),
        ca_file=s.get("ca_file"),
        password=_password(account),
        oauth=_oauth(account),
        folder=folder,
        account_id=s.get("channel_account") or account.account_id,
        name=label,
        **{k: s[k] for k in TUNING if s.get(k) is not None},
    )


def _password(account: Account) -> SecretStr | None:
    if account.settings.get("auth", "password") != "password":
        return None
    return SecretStr(account.secret("password") or "")


def _oauth(account: Account) -> OAuthSettings | None:
    s = account.settings
    if s.get("auth", "password") != "xoauth2":
        return None
    secret = account.secret("client_secret")
    return OAuthSettings(
        token_url=s["token_url"],
        client_id=s["client_id"],
        client_secret=SecretStr(secret) if secret else None,
        refresh_token=SecretStr(account.secret("refresh_token") or ""),
        **{k: s[k] for k in OAUTH_TUNING if s.get(k) is not None},
    )


def env_accounts(
    mailboxes: list[MailboxSettings], tenancy: Tenancy, checkpoint_dir: Path
) -> list[Account]:
    """The environment's mailboxes as fallback accounts, keyed by their channel account (by
    their label when two mailboxes are filed under the same account)."""
    out: dict[str, Account] = {}
    for m in mailboxes:
        account_id = m.channel_account if m.channel_account not in out else m.label
        tenant = tenancy.tenant_for(KIND, m.channel_account)
        out[account_id] = Account(
            KIND, account_id, tenant, _env_secrets(m), _env_settings(m, checkpoint_dir)
        )
    return list(out.values())


def _env_secrets(m: MailboxSettings) -> Mapping[str, tuple[str, ...]]:
    if m.oauth is None:
        return {"password": (m.password.get_secret_value(),)} if m.password else {}
    secrets = {"refresh_token": (m.oauth.refresh_token.get_secret_value(),)}
    if m.oauth.client_secret is not None:
        secrets["client_secret"] = (m.oauth.client_secret.get_secret_value(),)
    return secrets


def _env_settings(m: MailboxSettings, checkpoint_dir: Path) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "source": IMAP,
        "host": m.host,
        "port": m.port,
        "security": m.security,
        "username": m.username,
        "folders": [m.folder],
        "ca_file": m.ca_file,
        "name": m.label,
        "channel_account": m.channel_account,
        "checkpoint": m.checkpoint_path(checkpoint_dir),
        "batch": m.batch,
        "poll_s": m.poll_s,
        "post_action": m.post_action,
        "auth": "password" if m.oauth is None else "xoauth2",
    }
    if m.oauth is not None:
        oauth = m.oauth
        settings |= {"token_url": oauth.token_url, "client_id": oauth.client_id}
        settings |= {k: getattr(oauth, k) for k in OAUTH_TUNING}
    return settings
