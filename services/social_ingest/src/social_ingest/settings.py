"""social_ingest settings (HOTLINE_* environment variables).

Provider secrets are SecretStr. They are the environment's own channel accounts (one per
kind, ``social_ingest.accounts``): outside env=dev one left at its ``dev-`` default means "no
such account here", one set to a placeholder is refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field, SecretStr

from hotline.settings import ServiceSettings

# Where providers serve customers' files (domain suffixes): Meta's CDNs (WhatsApp media URLs,
# Messenger and Instagram attachments), Twilio's API and CDN (MMS), X's media hosts.
MEDIA_HOSTS = (
    "fbcdn.net",
    "fbsbx.com",
    "cdninstagram.com",
    "twilio.com",
    "twiliocdn.com",
    "twimg.com",
    "twitter.com",
)


class SocialSettings(ServiceSettings):
    service: str = "social_ingest"
    port: int = 8103
    ACCOUNT_SECRETS: ClassVar[frozenset[str]] = frozenset(
        {
            "meta_app_secret",
            "meta_verify_token",
            "whatsapp_token",
            "meta_page_token",
            "x_consumer_secret",
            "x_bearer_token",
            "telegram_secret_token",
            "telegram_bot_token",
            "twilio_auth_token",
        }
    )
    # Meta (WhatsApp Cloud, Messenger, Instagram): app secret signs POSTs; verify token for GET.
    meta_app_secret: SecretStr = SecretStr("dev-meta-app-secret")
    meta_verify_token: SecretStr = SecretStr("dev-meta-verify-token")
    # X Account Activity: the consumer secret signs CRC answers and POSTs.
    x_consumer_secret: SecretStr = SecretStr("dev-x-consumer-secret")
    x_user_id: str = ""  # our own account id: its sends are ignored
    # Telegram: the secret_token given to setWebhook.
    telegram_secret_token: SecretStr = SecretStr("dev-telegram-secret")
    telegram_bot_id: str = "bot"
    # Twilio: the auth token signs; the URL is rebuilt from configuration, never from the proxy.
    twilio_auth_token: SecretStr = SecretStr("dev-twilio-auth-token")
    twilio_webhook_url: str = "http://127.0.0.1:8103/webhooks/sms"
    twilio_status_url: str = "http://127.0.0.1:8103/webhooks/sms/status"
    twilio_account_sid: str = "AC00000000000000000000000000000000"
    default_region: str = "US"  # for phone numbers without a country code
    # Replies: provider API base URLs (tests point these at a local stand-in) and tokens.
    whatsapp_api_base: str = "https://graph.facebook.com/v21.0"
    meta_api_base: str = "https://graph.facebook.com/v21.0"
    telegram_api_base: str = "https://api.telegram.org"
    twilio_api_base: str = "https://api.twilio.com/2010-04-01"
    x_api_base: str = "https://api.x.com/2"
    whatsapp_token: SecretStr = SecretStr("dev-whatsapp-token")
    meta_page_token: SecretStr = SecretStr("dev-meta-page-token")
    telegram_bot_token: SecretStr = SecretStr("dev-telegram-bot-token")
    x_bearer_token: SecretStr = SecretStr("dev-x-bearer-token")
    reply_timeout: float = 5.0
    replies_enabled: bool = True
    windows_db: str = "var/social/windows.sqlite3"
    replies_group: str = "social_ingest.replies"
    # Profile enrichment (display name, avatar) off the ack path; opt-in.
    profiles_enabled: bool = False
    profile_timeout: float = 2.0  # each of connect / read / write / pool
    profile_deadline: float = 5.0  # one whole lookup, however the server drips
    profile_ttl: float = 24 * 3600.0
    profile_negative_ttl: float = 300.0  # failures: a dead provider is not hammered
    profile_cache_size: int = 50_000
    profile_queue_size: int = 1_000  # full -> the lookup is dropped (counted), never awaited
    profile_workers: int = 2
    # Media copied into the blob store (HOTLINE_BLOB_STORE: blob_dir or the S3 bucket) before
    # the event is published, so it outlives the provider's link (social_ingest.media). Off
    # by default: with it off, attachments keep the provider's ref as before.
    media_copy: bool = False
    media_budget: float = 8.0  # seconds for all of one webhook's files, inside its timeout
    media_attempts: int = 3  # per file, for timeouts, network errors, 429 and 5xx
    media_max_bytes: int = 100 * 1024 * 1024  # WhatsApp's largest document
    media_hosts: list[str] = Field(default_factory=lambda: list(MEDIA_HOSTS))
    blob_dir: Path = Path("var/blobs")
