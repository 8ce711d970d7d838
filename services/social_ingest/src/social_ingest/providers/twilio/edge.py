"""Twilio edge: inbound SMS/MMS and status callbacks, signed over the configured URLs."""

from __future__ import annotations

from hotline.http import Rejected, ServiceState
from hotline.http.hotpath import Answer, Handler, Inbound
from hotline.kafka.errors import PermanentError
from social_ingest.ingest import ingest
from social_ingest.providers.twilio import parse, verify
from social_ingest.providers.twilio.normalize import normalize
from social_ingest.settings import SocialSettings

PATHS = ("/webhooks/sms", "/webhooks/sms/status")


def post_handler(settings: SocialSettings, path: str) -> Handler:
    token = settings.twilio_auth_token.get_secret_value().encode()
    url = settings.twilio_webhook_url if path == PATHS[0] else settings.twilio_status_url

    async def receive(state: ServiceState, req: Inbound) -> Answer:
        try:
            pairs = parse.parse_form(req.body).pairs
        except PermanentError:
            pairs = []  # unsigned garbage is a 401, signed garbage a 400 (from ingest)
        if not verify.signature_ok(token, url, pairs, req.headers.get("x-twilio-signature")):
            raise Rejected(401, "bad_signature")
        return await ingest(state, req.body, normalize, path)

    return receive
