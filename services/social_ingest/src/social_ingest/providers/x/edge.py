"""X Account Activity edge: GET CRC (no Kafka, fast), signed POSTs."""

from __future__ import annotations

from fastapi import APIRouter, Request

from hotline.http import Rejected, ServiceState
from hotline.http.hotpath import Answer, Handler, Inbound
from social_ingest.providers.x import verify
from social_ingest.providers.x.normalize import normalize
from social_ingest.settings import SocialSettings
from social_ingest.webhook import Normalizer, webhooks

PATH = "/webhooks/x"


def crc_router(settings: SocialSettings) -> APIRouter:
    api = APIRouter()
    secret = settings.x_consumer_secret.get_secret_value().encode()

    @api.get(PATH)
    async def crc(request: Request) -> dict[str, str]:
        token = request.query_params.get("crc_token", "")
        if not token or len(token) > 512:
            raise Rejected(400, "bad_crc_token")
        return verify.crc_response(secret, token)

    return api


def post_handler(settings: SocialSettings, run: Normalizer = normalize) -> Handler:
    secret = settings.x_consumer_secret.get_secret_value().encode()

    async def receive(state: ServiceState, req: Inbound) -> Answer:
        header = req.headers.get("x-twitter-webhooks-signature")
        if not verify.signature_ok(secret, req.body, header):
            raise Rejected(401, "bad_signature")
        hooks = webhooks(state)
        return await hooks.answer(hooks.outcome(req.body, run, PATH))

    return receive
