"""IMAP mailboxes as channel accounts: the environment's mailboxes become fallback accounts
that rebuild exactly the same mailbox (label, checkpoint, login, channel account); a managed
account's settings and newest secrets make one mailbox per folder."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from email_ingest.accounts import fallback_accounts
from email_ingest.imap_accounts import env_accounts, is_imap, mailboxes_of
from email_ingest.imap_mailbox import MailboxSettings
from email_ingest.settings import EmailSettings
from hotline.accounts.registry import Account
from hotline.tenancy import Tenancy

OAUTH = {
    "token_url": "https://login.example.test/token",
    "client_id": "app-1",
    "client_secret": "client-secret-1",
    "refresh_token": "refresh-1",
}
TENANCY = Tenancy({"email:sales@acme.test": "acme", "email:help@beta.test": "beta"}, "other")


def env_mailboxes() -> list[MailboxSettings]:
    return [
        MailboxSettings(host="imap.acme.test", username="sam", password=SecretStr("pw-1"),
                        account_id="sales@acme.test", name="sales", post_action="seen"),
        MailboxSettings(host="imap.beta.test", username="help@beta.test", security="starttls",
                        oauth=OAUTH, folder="Support", poll_s=0.5),
        MailboxSettings(host="imap.acme.test", username="sam", password=SecretStr("pw-1"),
                        account_id="sales@acme.test", folder="Archive"),
    ]  # fmt: skip


def test_environment_mailboxes_round_trip_through_accounts(tmp_path: Path) -> None:
    boxes = env_mailboxes()
    accounts = env_accounts(boxes, TENANCY, tmp_path)
    # the third mailbox is filed under the same account as the first: keyed by its label
    assert [a.account_id for a in accounts] == [
        "sales@acme.test",
        "help@beta.test",
        "sam@imap.acme.test/Archive",
    ]
    assert [a.tenant for a in accounts] == ["acme", "beta", "acme"]
    assert all(is_imap(a) for a in accounts)
    for mailbox, account in zip(boxes, accounts, strict=True):
        [rebuilt] = mailboxes_of(account)
        assert rebuilt.label == mailbox.label
        assert rebuilt.channel_account == mailbox.channel_account
        assert rebuilt.checkpoint_path(tmp_path) == mailbox.checkpoint_path(tmp_path)
        assert rebuilt.model_dump(
            exclude={"checkpoint", "name", "account_id"}
        ) == mailbox.model_dump(exclude={"checkpoint", "name", "account_id"})


def managed(**secrets: tuple[str, ...]) -> Account:
    settings = {
        "source": "imap",
        "host": "imap.gmail.test",
        "security": "imaps",
        "username": "desk@acme.test",
        "folders": ["INBOX", "Escalations"],
        "auth": "xoauth2",
        "token_url": OAUTH["token_url"],
        "client_id": "app-2",
    }
    return Account("email", "desk@acme.test", "acme", secrets, settings, version=3)


def test_a_managed_account_polls_each_folder_with_its_newest_secrets() -> None:
    account = managed(refresh_token=("refresh-new", "refresh-old"), client_secret=("cs",))
    inbox, escalations = mailboxes_of(account)
    assert (inbox.label, escalations.label) == (
        "desk@acme.test/INBOX",
        "desk@acme.test/Escalations",
    )
    assert (inbox.folder, escalations.folder) == ("INBOX", "Escalations")
    assert inbox.oauth is not None and inbox.password is None
    assert inbox.oauth.refresh_token.get_secret_value() == "refresh-new"
    assert inbox.oauth.client_secret is not None
    assert inbox.channel_account == "desk@acme.test" and inbox.tcp_port == 993


def test_a_password_account_with_one_folder_is_labelled_by_its_id() -> None:
    settings = {"source": "imap", "host": "127.0.0.1", "port": 1143, "security": "plain"}
    account = Account("email", "ops@acme.test", "acme", {"password": ("new", "old")}, settings)
    [box] = mailboxes_of(account)
    assert (box.label, box.username, box.folder) == ("ops@acme.test", "ops@acme.test", "INBOX")
    assert box.password is not None and box.password.get_secret_value() == "new"


def test_a_provider_account_is_not_a_mailbox() -> None:
    assert not is_imap(Account("email", "acme.test", "acme", settings={"source": "mailgun"}))
    assert not is_imap(None)


def test_the_single_imap_mailbox_password_goes_through_account_secret() -> None:
    with_password = EmailSettings(
        env="test",
        webhook_secrets=[SecretStr("a-real-webhook-secret-0001")],
        imap_host="127.0.0.1",
        imap_user="sam",
        imap_password=SecretStr("pw-9"),
        account_id="s@a.test",
    )
    [account] = fallback_accounts(with_password)
    assert account.secret_values("password") == ("pw-9",)
    assert "imap_password" in EmailSettings.ACCOUNT_SECRETS


def test_no_mailbox_and_no_provider_no_account() -> None:
    assert fallback_accounts(EmailSettings(env="dev")) == []
