"""Meta webhooks (WhatsApp Cloud, Messenger, Instagram): GET handshake, signed POSTs."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from hotline.http import Rejected, ServiceState
from hotline.http.hotpath import Answer, Handler, Inbound
from social_ingest.providers.meta import verify
from social_ingest.settings import SocialSettings
from social_ingest.webhook import Normalizer, webhooks


def handshake_router(path: str, settings: SocialSettings) -> APIRouter:
    api = APIRouter()
    token = settings.meta_verify_token.get_secret_value()

    @api.get(path)
    async def handshake(request: Request) -> Response:
        challenge = verify.handshake(request.query_params, token)
        if challenge is None:
            raise Rejected(403, "verify_token_mismatch")
        return PlainTextResponse(challenge)

    return api


def post_handler(path: str, run: Normalizer, settings: SocialSettings) -> Handler:
    secret = settings.meta_app_secret.get_secret_value().encode()

    async def receive(state: ServiceState, req: Inbound) -> Answer:
        if not verify.signature_ok(secret, req.body, req.headers.get("x-hub-signature-256")):
            raise Rejected(401, "bad_signature")
        hooks = webhooks(state)
        return await hooks.answer(hooks.outcome(req.body, run, path))

    return receive
