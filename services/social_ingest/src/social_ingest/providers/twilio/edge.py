"""Twilio edge: inbound SMS/MMS and status callbacks, routed by the form's ``AccountSid`` and
signed over the account's configured URLs (``webhook_url``, ``status_url``; the environment's
when the account names none) with any of its ``auth_token`` values. A form without an
``AccountSid`` (Twilio always sends one) is the environment account's to sign, if any."""

from __future__ import annotations

from hotline import twilio as verify
from hotline.accounts import Account, AccountRegistry
from hotline.accounts.registry import ANY
from hotline.accounts.routing import routed
from hotline.http import ServiceState
from hotline.http.hotpath import Answer, Handler, Inbound
from hotline.kafka.errors import PermanentError
from social_ingest.providers.twilio import parse
from social_ingest.providers.twilio.normalize import normalize
from social_ingest.routing import pins, verified
from social_ingest.settings import SocialSettings
from social_ingest.webhook import Normalizer, webhooks

PATHS = ("/webhooks/sms", "/webhooks/sms/status")


def post_handler(
    registry: AccountRegistry, settings: SocialSettings, path: str, run: Normalizer = normalize
) -> Handler:
    inbound = path == PATHS[0]
    setting = "webhook_url" if inbound else "status_url"
    env_url = settings.twilio_webhook_url if inbound else settings.twilio_status_url

    async def receive(state: ServiceState, req: Inbound) -> Answer:
        try:
            form = parse.parse_form(req.body)
        except PermanentError:
            form = parse.Form([], {})  # unsigned garbage is a 401, signed garbage a 400
        sid = form.fields.get("AccountSid") or ANY
        url = _url(routed(registry, "sms", sid), setting, env_url)
        header = req.headers.get("x-twilio-signature")

        def check(token: str) -> bool:
            return verify.signature_ok(token.encode(), url, form.pairs, header)

        accounts = verified(registry, "sms", [sid], "auth_token", check)
        hooks = webhooks(state)
        # the events name our phone number, not the AccountSid: pin every number of the request
        outcome = hooks.outcome(req.body, run, path, pins(accounts, [ANY]))
        return await hooks.answer(outcome, accounts)

    return receive


def _url(account: Account, setting: str, env_url: str) -> str:
    value = account.settings.get(setting)
    return value if isinstance(value, str) and value else env_url
