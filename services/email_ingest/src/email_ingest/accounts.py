"""The email edge's channel accounts: ONE registry per process (``app.state.accounts``), its
environment fallback built from ``EmailSettings``: each IMAP mailbox of ``mailboxes()`` and
each configured inbound mail provider (its catch-all, see ``providers/accounts.py``)."""

from __future__ import annotations

from email_ingest import imap_accounts
from email_ingest.imap_mailbox import MailboxSettings
from email_ingest.providers import accounts as provider_accounts
from email_ingest.settings import EmailSettings
from hotline.accounts.registry import Account, AccountRegistry


def registry_for(s: EmailSettings) -> AccountRegistry:
    return AccountRegistry(fallback_accounts(s))


def fallback_accounts(s: EmailSettings) -> list[Account]:
    tenancy = s.tenancy()
    mailboxes = env_mailboxes(s)
    return [
        *imap_accounts.env_accounts(mailboxes, tenancy, s.imap_checkpoint_dir),
        *provider_accounts.env_accounts(s.providers(), s.account_id, tenancy),
    ]


def env_mailboxes(s: EmailSettings) -> list[MailboxSettings]:
    """``mailboxes()``, the single ``imap_*`` mailbox's password taken through
    ``account_secret`` (left at a placeholder outside dev: no such account)."""
    boxes = s.mailboxes()
    if not s.imap_host or s.imap_password is None:
        return boxes
    password = s.account_secret("imap_password")
    if password is None:
        return boxes[1:]
    return [boxes[0].model_copy(update={"password": password}), *boxes[1:]]
