"""Twilio edge: inbound SMS/MMS and status callbacks, signed over the configured URLs."""

from __future__ import annotations

from hotline.http import Rejected, ServiceState
from hotline.http.hotpath import Answer, Handler, Inbound
from hotline.kafka.errors import PermanentError
from social_ingest.providers.twilio import parse, verify
from social_ingest.providers.twilio.normalize import normalize
from social_ingest.settings import SocialSettings
from social_ingest.webhook import Normalizer, webhooks

PATHS = ("/webhooks/sms", "/webhooks/sms/status")


def post_handler(settings: SocialSettings, path: str, run: Normalizer = normalize) -> Handler:
    token = settings.twilio_auth_token.get_secret_value().encode()
    url = settings.twilio_webhook_url if path == PATHS[0] else settings.twilio_status_url

    async def receive(state: ServiceState, req: Inbound) -> Answer:
        try:
            pairs = parse.parse_form(req.body).pairs
        except PermanentError:
            pairs = []  # unsigned garbage is a 401, signed garbage a 400 (from normalize)
        if not verify.signature_ok(token, url, pairs, req.headers.get("x-twilio-signature")):
            raise Rejected(401, "bad_signature")
        hooks = webhooks(state)
        return await hooks.answer(hooks.outcome(req.body, run, path))

    return receive
