"""Dev-only settings for `make run`: every demo account in one tenant, every secret a person
needs to sign a test request, the integration token and the dev admin who signs in to the
workspace, all printed at start-up.

A setting the user exported themselves wins over these (``service_env``). The values are the
``dev-`` placeholders each service accepts only under ``HOTLINE_ENV=dev``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass

from hotline.accounts.sealing import DEV_KEY

DEMO_TENANT = "default"
SLACK_TEAM = "TLOAD"  # the load generator's and the demo's workspace
WIDGET_SITE = "demo"

DEV_ENV: dict[str, str] = {
    "HOTLINE_DEFAULT_TENANT": DEMO_TENANT,
    # Every demo channel account belongs to the demo tenant; named here so that a person sees
    # how a channel account maps to a tenant (hotline.tenancy).
    "HOTLINE_TENANTS": json.dumps({f"slack:{SLACK_TEAM}": DEMO_TENANT}),
    "HOTLINE_SLACK_WORKSPACES": json.dumps(
        {
            SLACK_TEAM: {
                "signing_secret": "dev-load-slack-signing-secret",
                "bot_token": "dev-xoxb",
                "trusted": True,
            }
        }
    ),
    "HOTLINE_TRUSTED_AUTHSERV_IDS": json.dumps(["mx.loadtest"]),
    "HOTLINE_API_TOKENS": json.dumps({DEMO_TENANT: "dev-agent-token"}),
    "HOTLINE_META_APP_SECRET": "dev-meta-app-secret",
    "HOTLINE_TELEGRAM_SECRET_TOKEN": "dev-telegram-secret",
    "HOTLINE_TWILIO_AUTH_TOKEN": "dev-twilio-auth-token",
    # the voice service's other sources: a Vonage application and a PBX (generic CTI)
    "HOTLINE_VONAGE_APPLICATION_ID": "00000000-0000-4000-8000-000000000d00",
    "HOTLINE_VONAGE_SIGNATURE_SECRET": "dev-vonage-signature-secret-32-bytes",
    "HOTLINE_CTI_ACCOUNT": "dev-pbx",
    "HOTLINE_CTI_SIGNING_SECRET": "dev-cti-signing-secret",
    "HOTLINE_X_CONSUMER_SECRET": "dev-x-consumer-secret",
    # Seals channel-account secrets in the unifier and opens them in the edges: one key for all
    "HOTLINE_CHANNEL_SECRETS_KEY": DEV_KEY,
}
# chat_gateway's dev default for the "demo" site
WIDGET_SECRET = "dev-demo-widget-secret-of-32-bytes-or-more"
EMAIL_WEBHOOK_SECRET = "dev-email-webhook-secret"  # email_ingest's dev default
# The admin `make run` creates in the demo tenant (through the API, with the configured token);
# a fixed dev password, printed at start-up. Real deployments use `hotline create-agent`.
DEV_ADMIN_EMAIL = "admin@hotline.test"
DEV_ADMIN_PASSWORD = "dev-admin-password"
DEV_ADMIN_NAME = "Dev Admin"


def service_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The dev defaults, overridden by whatever the user set in their own environment."""
    return {**DEV_ENV, **environ}


@dataclass(frozen=True)
class Credentials:
    """What a person needs to reach every feature of the running stack."""

    api_token: str
    slack_signing_secret: str
    meta_app_secret: str
    telegram_secret_token: str
    twilio_auth_token: str
    x_consumer_secret: str
    vonage_application_id: str
    vonage_signature_secret: str
    cti_account: str
    cti_signing_secret: str
    widget_secret: str = WIDGET_SECRET
    email_webhook_secret: str = EMAIL_WEBHOOK_SECRET

    @classmethod
    def of(cls, env: Mapping[str, str]) -> Credentials:
        tokens: dict[str, str] = json.loads(env["HOTLINE_API_TOKENS"])
        workspaces = json.loads(env["HOTLINE_SLACK_WORKSPACES"])
        slack: dict[str, str] = workspaces.get(SLACK_TEAM) or next(iter(workspaces.values()), {})
        return cls(
            api_token=tokens.get(DEMO_TENANT, next(iter(tokens.values()), "")),
            slack_signing_secret=slack.get("signing_secret", ""),
            meta_app_secret=env["HOTLINE_META_APP_SECRET"],
            telegram_secret_token=env["HOTLINE_TELEGRAM_SECRET_TOKEN"],
            twilio_auth_token=env["HOTLINE_TWILIO_AUTH_TOKEN"],
            x_consumer_secret=env["HOTLINE_X_CONSUMER_SECRET"],
            vonage_application_id=env["HOTLINE_VONAGE_APPLICATION_ID"],
            vonage_signature_secret=env["HOTLINE_VONAGE_SIGNATURE_SECRET"],
            cti_account=env["HOTLINE_CTI_ACCOUNT"],
            cti_signing_secret=env["HOTLINE_CTI_SIGNING_SECRET"],
        )

    @classmethod
    def current(cls) -> Credentials:
        return cls.of(service_env(os.environ))

    def rows(self) -> list[tuple[str, str, str]]:
        """(what, secret, how it is used) for the start-up table."""
        return [
            ("dev admin", f"{DEV_ADMIN_EMAIL} / {DEV_ADMIN_PASSWORD}", "sign in at /login"),
            ("integration token", self.api_token, "Authorization: Bearer … on /api"),
            ("widget site 'demo'", self.widget_secret, "HS256 key of the identity token (JWT)"),
            ("Slack TLOAD signing", self.slack_signing_secret, "X-Slack-Signature v0 HMAC"),
            ("Meta app secret", self.meta_app_secret, "X-Hub-Signature-256 (WhatsApp, Messenger)"),
            ("Telegram secret", self.telegram_secret_token, "X-Telegram-Bot-Api-Secret-Token"),
            ("Twilio auth token", self.twilio_auth_token, "X-Twilio-Signature (SMS, voice)"),
            ("Vonage signature", self.vonage_signature_secret, "HS256 of the callback's JWT"),
            ("CTI signing secret", self.cti_signing_secret, "X-Hotline-Signature HMAC-SHA256"),
            ("X consumer secret", self.x_consumer_secret, "x-twitter-webhooks-signature"),
            ("email webhook", self.email_webhook_secret, "HMAC of the raw MIME (POST)"),
        ]
