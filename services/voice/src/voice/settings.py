"""voice settings (HOTLINE_* environment variables).

The Twilio auth token is a SecretStr and the environment's own Twilio account
(``voice.accounts``): outside env=dev one left at its ``dev-`` default means "no such account
here" (callbacks answer 404), one set to a placeholder is refused.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import SecretStr

from hotline.settings import ServiceSettings


class VoiceSettings(ServiceSettings):
    service: str = "voice"
    port: int = 8105
    ACCOUNT_SECRETS: ClassVar[frozenset[str]] = frozenset({"twilio_auth_token"})
    # Twilio Voice: the auth token signs every callback; the URL is the public one Twilio
    # calls (the signature covers it), never rebuilt from what a proxy forwards. Empty
    # account sid: the token's account is any AccountSid (as the SMS edge's).
    twilio_account_sid: str = ""
    twilio_auth_token: SecretStr = SecretStr("dev-twilio-auth-token")
    twilio_webhook_url: str = "http://127.0.0.1:8105/webhooks/voice/twilio"
    default_region: str = "US"  # for callers' national numbers ("030/1234567" in "DE")
