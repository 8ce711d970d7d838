"""Each provider's configuration, one small object per provider (``HOTLINE_MAILGUN`` etc.,
JSON in the environment). A provider whose credentials are set is the environment's catch-all
account for that provider (``providers/accounts.py``: every recipient no channel account
takes); with none set, only channel accounts are accepted. ``account_id``: the mailbox the
catch-all's mail is filed under (the service's ``account_id`` when unset), which picks the
tenant (``email:<account_id>``). The other fields (SNS topics, Mandrill's signed URL, Mailgun's
freshness window) apply to every account of the provider."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr

from hotline.settings import is_placeholder

SNS_CERT_URL = r"^https://sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/[^?#]*\.pem$"
SNS_SUBSCRIBE_URL = r"^https://sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/\?"


class ProviderSettings(BaseModel):
    account_id: str | None = None

    def secrets(self) -> list[SecretStr]:
        return []

    @property
    def enabled(self) -> bool:
        return bool(self.secrets())

    def placeholders(self) -> bool:
        return any(is_placeholder(s) for s in self.secrets())


class BasicAuthSettings(ProviderSettings):
    """``basic_auth``: ``user:password`` pairs, any of which is accepted (rotation)."""

    basic_auth: list[SecretStr] = Field(default_factory=list)

    def secrets(self) -> list[SecretStr]:
        return self.basic_auth


class MailgunSettings(ProviderSettings):
    signing_keys: list[SecretStr] = Field(default_factory=list)  # HTTP webhook signing keys
    max_age_s: int = 300  # the signed timestamp must be this fresh (either way)

    def secrets(self) -> list[SecretStr]:
        return self.signing_keys


class SendGridSettings(BasicAuthSettings):
    pass


class PostmarkSettings(BasicAuthSettings):
    pass


class CloudMailinSettings(BasicAuthSettings):
    pass


class MandrillSettings(ProviderSettings):
    webhook_keys: list[SecretStr] = Field(default_factory=list)
    url: str = ""  # the webhook URL exactly as configured at Mandrill (it is signed)

    def secrets(self) -> list[SecretStr]:
        return self.webhook_keys


class SesSettings(ProviderSettings):
    """``topic_arns``: the SNS topics we accept (anyone can sign for their own topic)."""

    topic_arns: list[str] = Field(default_factory=list)
    cert_url_pattern: str = SNS_CERT_URL
    subscribe_url_pattern: str = SNS_SUBSCRIBE_URL
    confirm_subscriptions: bool = True
    max_age_s: int = 3600  # SNS retries for up to an hour by default
    fetch_timeout_s: float = 5.0

    @property
    def enabled(self) -> bool:
        return bool(self.topic_arns)
