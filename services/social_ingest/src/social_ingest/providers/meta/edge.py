"""Meta webhooks (WhatsApp Cloud, Messenger, Instagram): GET handshake, signed POSTs."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from hotline.http import Rejected
from social_ingest.ingest import Normalizer, ingest
from social_ingest.providers.meta import verify
from social_ingest.settings import SocialSettings


def router(path: str, run: Normalizer, settings: SocialSettings) -> APIRouter:
    api = APIRouter()
    secret = settings.meta_app_secret.get_secret_value().encode()
    token = settings.meta_verify_token.get_secret_value()

    @api.get(path)
    async def handshake(request: Request) -> Response:
        challenge = verify.handshake(request.query_params, token)
        if challenge is None:
            raise Rejected(403, "verify_token_mismatch")
        return PlainTextResponse(challenge)

    @api.post(path)
    async def receive(request: Request) -> Response:
        body = await request.body()
        if not verify.signature_ok(secret, body, request.headers.get("x-hub-signature-256")):
            raise Rejected(401, "bad_signature")
        return await ingest(request.app.state.hotline, body, run, path)

    return api
