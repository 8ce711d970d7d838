"""voice settings (HOTLINE_* environment variables).

Each source's secret is a SecretStr and part of the environment's own account of that source
(``voice.accounts``): outside env=dev one left at its ``dev-`` default means "no such account
here" (callbacks answer 404), one set to a placeholder is refused. The Vonage and CTI accounts
also need their id (``vonage_application_id``, ``cti_account``): none without it.

Recordings (``recordings_copy``) are copied from the provider into the blob store before
their event is published (``hotline.recordings``), within ``recording_*`` limits.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import SecretStr

from hotline.blobs.fetch import FetchLimits
from hotline.recordings import RECORDING_HOSTS
from hotline.settings import ServiceSettings


class VoiceSettings(ServiceSettings):
    service: str = "voice"
    port: int = 8105
    ACCOUNT_SECRETS: ClassVar[frozenset[str]] = frozenset(
        {"twilio_auth_token", "vonage_signature_secret", "vonage_private_key", "cti_signing_secret"}
    )
    # Twilio Voice: the auth token signs every callback; the URL is the public one Twilio
    # calls (the signature covers it), never rebuilt from what a proxy forwards. Empty
    # account sid: the token's account is any AccountSid (as the SMS edge's).
    twilio_account_sid: str = ""
    twilio_auth_token: SecretStr = SecretStr("dev-twilio-auth-token")
    twilio_webhook_url: str = "http://127.0.0.1:8105/webhooks/voice/twilio"
    # Vonage Voice API: the application's signature secret signs each event webhook (JWT);
    # its private key (PEM) signs the JWT that downloads recordings (empty: not copied)
    vonage_application_id: str = ""
    vonage_signature_secret: SecretStr = SecretStr("dev-vonage-signature-secret-32-bytes")
    vonage_private_key: SecretStr = SecretStr("")
    # generic CTI: a PBX posting to /webhooks/voice/cti/{cti_account}, signed with the secret
    cti_account: str = ""
    cti_signing_secret: SecretStr = SecretStr("dev-cti-signing-secret")
    default_region: str = "US"  # for callers' national numbers ("030/1234567" in "DE")
    # recordings into the blob store before their event is published
    recordings_copy: bool = False
    blob_dir: Path | None = None  # the file store's directory (blob_store=file)
    recording_budget: float = 10.0  # seconds for one callback's recordings, retries included
    recording_attempts: int = 3
    recording_max_bytes: int = 200 * 1024 * 1024
    # and their subdomains; Twilio may answer a recording's URL with a 302 to a short-lived
    # signed URL of its storage (Amazon S3): credentials never follow a redirect
    recording_hosts: tuple[str, ...] = (*RECORDING_HOSTS, "amazonaws.com")

    def recording_limits(self) -> FetchLimits:
        return FetchLimits(
            budget=self.recording_budget,
            attempts=self.recording_attempts,
            max_bytes=self.recording_max_bytes,
            hosts=self.recording_hosts,
        )
