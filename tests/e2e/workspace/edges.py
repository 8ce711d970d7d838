"""The channel edges the workspace tests' customers write through, and the accounts of each
test tenant at them (``HOTLINE_TENANTS``-style tenancy, as configured in production)."""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from pydantic import SecretStr

from chat_gateway.settings import ChatSettings, WidgetSite
from email_ingest.settings import EmailSettings
from hotline.accounts import Account, AccountRegistry
from hotline_tools.devstack.broker import free_port
from social_ingest.settings import SocialSettings
from tests.http_helpers import serve_app, wait_ready
from voice.providers.twilio.edge import PATH as TWILIO_VOICE
from voice.settings import VoiceSettings

SLOTS = 64  # tenants one session may hand out
NOBODY = "unmapped"  # the default tenant: an account no slot names lands here, seen by no test
META_SECRET = "customers-meta-app-secret-0123456789"
MAIL_SECRET = "customers-mail-webhook-secret-0123456789"
RELAY = "mx.relay.customers.test"  # a trusted relay: its DMARC pass makes a sender dmarc_aligned
VOICE_TOKEN = "customers-twilio-voice-auth-token"  # signs every slot's Twilio Voice callbacks


@dataclass(frozen=True)
class Slot:
    """One test tenant's channel accounts."""

    tenant: str

    @property
    def phone_number_id(self) -> str:  # our WhatsApp business number's id
        return f"pn-{self.tenant}"

    @property
    def site(self) -> str:  # the widget site
        return f"site-{self.tenant}"

    @property
    def site_secret(self) -> str:
        return f"widget-secret-of-{self.tenant}-0123456789abcdef"

    @property
    def mailbox(self) -> str:
        return f"support@{self.tenant}.test"

    @property
    def twilio_sid(self) -> str:  # the Twilio account our phone line belongs to
        return "AC" + hashlib.sha256(self.tenant.encode()).hexdigest()[:32]

    @property
    def pbx(self) -> str:  # the PBX's CTI account (its path segment)
        return f"pbx-{self.tenant}"

    @property
    def pbx_secret(self) -> str:
        return f"cti-secret-of-{self.tenant}-0123456789abcdef"


def slots() -> dict[str, Slot]:
    tag = secrets.token_hex(3)
    made = [Slot(f"w{n:02d}{tag}") for n in range(SLOTS)]
    return {s.tenant: s for s in made}


def social_settings(kafka: str, port: int, all_slots: dict[str, Slot]) -> SocialSettings:
    tenants = {f"whatsapp:{s.phone_number_id}": t for t, s in all_slots.items()}
    unused = SecretStr("customers-unused-secret")  # channels these tests do not write on
    return SocialSettings(
        env="test", kafka_bootstrap=kafka, port=port, default_tenant=NOBODY, tenants=tenants,
        meta_app_secret=SecretStr(META_SECRET), twilio_auth_token=unused,
        meta_verify_token=unused, x_consumer_secret=unused, telegram_secret_token=unused,
        whatsapp_token=unused, meta_page_token=unused, telegram_bot_token=unused,
        x_bearer_token=unused, ack_timeout=5.0, replies_enabled=False,
    )  # fmt: skip


def chat_settings(kafka: str, all_slots: dict[str, Slot]) -> ChatSettings:
    slots_ = all_slots.values()
    return ChatSettings(
        env="test", kafka_bootstrap=kafka, default_tenant=NOBODY,
        tenants={f"widget:{s.site}": t for t, s in all_slots.items()},
        widget_sites={s.site: WidgetSite(secret=SecretStr(s.site_secret)) for s in slots_},
        slack_profiles=False, replies_enabled=False, ack_timeout=5.0,
    )  # fmt: skip


def voice_settings(
    kafka: str, port: int, all_slots: dict[str, Slot], blob_dir: Path
) -> VoiceSettings:
    """Twilio Voice for every slot (one auth token, each slot its AccountSid); recordings are
    copied into ``blob_dir`` (the store the unifier serves them from), from loopback only."""
    return VoiceSettings(
        env="test", kafka_bootstrap=kafka, port=port, default_tenant=NOBODY,
        tenants={f"voice:{s.twilio_sid}": t for t, s in all_slots.items()},
        twilio_auth_token=SecretStr(VOICE_TOKEN),
        twilio_webhook_url=f"http://127.0.0.1:{port}{TWILIO_VOICE}", default_region="DE",
        recordings_copy=True, recording_hosts=("127.0.0.1",), recording_budget=5.0,
        blob_dir=blob_dir, ack_timeout=5.0,
    )  # fmt: skip


def pbx_accounts(registry: AccountRegistry, all_slots: dict[str, Slot]) -> None:
    """Each slot's CTI account, as the managed accounts' feed fills the voice registry."""
    for tenant, slot in all_slots.items():
        secrets_ = {"signing_secret": (slot.pbx_secret,)}
        settings = {"source": "cti", "region": "DE"}
        registry.put(Account("voice", slot.pbx, tenant, secrets_, settings, version=1))


async def served_on(app: FastAPI, stack: contextlib.AsyncExitStack, port: int | None = None) -> str:
    base: str = await stack.enter_async_context(serve_app(app, port))
    await wait_ready(app)
    return base


def email_settings(kafka: str, slot: Slot, blob_dir: Path) -> EmailSettings:
    """One mailbox's email_ingest (the service serves one account): SMTP on a free port."""
    return EmailSettings(
        env="test", kafka_bootstrap=kafka, default_tenant=NOBODY,
        tenants={f"email:{slot.mailbox}": slot.tenant}, account_id=slot.mailbox,
        blob_dir=blob_dir, webhook_secrets=[SecretStr(MAIL_SECRET)], smtp_port=free_port(),
        recipient_domains=[f"{slot.tenant}.test"], smtp_check_dkim=False,
        trusted_authserv_ids=[RELAY], ack_timeout=5.0,
    )  # fmt: skip
