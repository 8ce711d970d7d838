"""email_ingest settings (HOTLINE_* environment variables)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field, SecretStr, field_validator, model_validator

from email_ingest.dns_txt import server_address
from email_ingest.imap_mailbox import MailboxSettings, OAuthSettings, Security, check_distinct
from email_ingest.providers.settings import (
    CloudMailinSettings,
    MailgunSettings,
    MandrillSettings,
    PostmarkSettings,
    ProviderSettings,
    SendGridSettings,
    SesSettings,
)
from hotline.settings import ServiceSettings, is_placeholder
from hotline.topics import INBOUND_EMAIL, REPLIES_EMAIL, REPLY_RESULTS

MB = 1024 * 1024


class EmailSettings(ServiceSettings):
    service: str = "email_ingest"
    port: int = 8101
    max_body_bytes: int = 30 * MB
    inbound_topic: str = INBOUND_EMAIL
    blob_dir: Path = Path("var/blobs")
    account_id: str = "support@localhost"
    # the simple secret fields of the environment's channel accounts (accounts.py); the
    # providers' and imap_mailboxes' secrets are lists inside their own objects
    ACCOUNT_SECRETS: ClassVar[frozenset[str]] = frozenset({"imap_password"})
    # webhook POST /inbound/email
    webhook_secrets: list[SecretStr] = Field(
        default_factory=lambda: [SecretStr("dev-email-webhook-secret")]
    )
    webhook_max_bytes: int = 30 * MB
    # SMTP intake
    smtp_enabled: bool = True
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 2525
    smtp_hostname: str = "hotline.localhost"
    smtp_max_bytes: int = 25 * MB
    smtp_tls_cert: Path | None = None
    smtp_tls_key: Path | None = None
    recipient_domains: list[str] = Field(default_factory=lambda: ["localhost"])
    smtp_check_dkim: bool = True  # verify DKIM + DMARC alignment of SMTP mail ourselves
    # DNS for those checks: "ip[:port]" of a nameserver (e.g. 127.0.0.1:5353); None: the system's
    dns_server: str | None = None
    dns_timeout_s: float = 3.0  # per lookup; a whole check gets four times this
    dns_cache_s: float = 300.0  # how long TXT answers (DKIM keys, DMARC records) are reused
    # threading and trust
    reply_domains: list[str] = Field(default_factory=list)
    trusted_authserv_ids: list[str] = Field(default_factory=list)
    own_message_id_domain: str = "hotline.localhost"
    # IMAP pollers: one per entry of imap_mailboxes (JSON), plus the imap_* mailbox below
    # when imap_host is set (its mail belongs to account_id); see imap_mailbox.py
    imap_mailboxes: list[MailboxSettings] = Field(default_factory=list)
    imap_checkpoint_dir: Path = Path("var/imap")  # <label>.json per mailbox unless set
    imap_host: str | None = None
    imap_security: Security = "imaps"  # imaps | starttls | plain (plaintext: only if set)
    imap_port: int | None = None  # None: 993 for imaps, 143 otherwise
    imap_ca_file: Path | None = None
    imap_user: str = ""
    imap_password: SecretStr | None = None
    imap_oauth: OAuthSettings | None = None  # XOAUTH2 instead of the password
    imap_mailbox: str = "INBOX"
    imap_batch: int = 50
    imap_poll_s: float = 5.0
    imap_post_action: str = "leave"  # leave | seen | move:<folder>
    imap_checkpoint: Path = Path("var/imap-checkpoint.json")
    # replies (off unless a relay is set)
    relay_host: str | None = None
    relay_port: int = 25
    relay_attempts: int = 4
    relay_backoff_s: float = 0.5
    replies_topic: str = REPLIES_EMAIL
    results_topic: str = REPLY_RESULTS
    reply_from: str = "support@localhost"
    reply_group: str = "email_ingest.replies"
    # inbound mail providers (providers/): each off until its credentials are set
    mailgun: MailgunSettings = Field(default_factory=MailgunSettings)
    sendgrid: SendGridSettings = Field(default_factory=SendGridSettings)
    postmark: PostmarkSettings = Field(default_factory=PostmarkSettings)
    mandrill: MandrillSettings = Field(default_factory=MandrillSettings)
    cloudmailin: CloudMailinSettings = Field(default_factory=CloudMailinSettings)
    ses: SesSettings = Field(default_factory=SesSettings)

    def providers(self) -> dict[str, ProviderSettings]:
        names = ("mailgun", "sendgrid", "postmark", "mandrill", "cloudmailin", "ses")
        return {name: getattr(self, name) for name in names}

    def mailboxes(self) -> list[MailboxSettings]:
        """Every mailbox to poll: the single ``imap_*`` one first (if ``imap_host``), then
        ``imap_mailboxes``."""
        if not self.imap_host:
            return list(self.imap_mailboxes)
        single = MailboxSettings(
            host=self.imap_host,
            username=self.imap_user,
            security=self.imap_security,
            port=self.imap_port,
            ca_file=self.imap_ca_file,
            password=self.imap_password,
            oauth=self.imap_oauth,
            folder=self.imap_mailbox,
            account_id=self.account_id,
            checkpoint=self.imap_checkpoint,
            batch=self.imap_batch,
            poll_s=self.imap_poll_s,
            post_action=self.imap_post_action,
        )
        return [single, *self.imap_mailboxes]

    @model_validator(mode="after")
    def _mailboxes_are_distinct(self) -> EmailSettings:
        check_distinct(self.mailboxes(), self.imap_checkpoint_dir)
        return self

    @field_validator("dns_server")
    @classmethod
    def _dns_server_is_an_address(cls, value: str | None) -> str | None:
        if value:
            try:
                server_address(value)
            except ValueError as exc:
                raise ValueError(f"dns_server: expected ip[:port], got {value!r} ({exc})") from exc
        return value or None

    @model_validator(mode="after")
    def _no_placeholder_webhook_secret(self) -> EmailSettings:
        """The shared check does not look inside lists: do it for the webhook secrets."""
        if self.env != "dev" and any(is_placeholder(s) for s in self.webhook_secrets):
            raise ValueError(f"webhook_secrets: placeholder secret not allowed in env={self.env}")
        if self.env != "dev" and any(p.placeholders() for p in self.providers().values()):
            raise ValueError(f"provider secrets: placeholder secret not allowed in env={self.env}")
        if not self.webhook_secrets:
            raise ValueError("webhook_secrets: at least one secret is required")
        return self
