"""Meta webhooks (WhatsApp Cloud, Messenger, Instagram): GET handshake, signed POSTs.

A POST names its accounts in the body (phone number ids, page ids): each must be an enabled
account of the route's kind (else 404) whose ``app_secret`` verifies ``X-Hub-Signature-256``
(any of its values; else 401). The GET handshake names no account: the ``verify_token`` of any
account of the kind answers it.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from hotline.accounts import AccountRegistry
from hotline.http import Rejected, ServiceState
from hotline.http.hotpath import Answer, Handler, Inbound
from social_ingest.accounts import every_account
from social_ingest.providers.meta import accounts, verify
from social_ingest.routing import pins, verified
from social_ingest.webhook import Normalizer, webhooks

NAMED: dict[str, Callable[[bytes], list[str]]] = {
    "whatsapp": accounts.whatsapp_numbers,
    "messenger": accounts.page_ids,
    "instagram": accounts.page_ids,
}


def kind_of(path: str) -> str:
    """``/webhooks/<kind>``: the channel kind a Meta route serves."""
    return path.rsplit("/", 1)[-1]


def handshake_router(path: str, registry: AccountRegistry) -> APIRouter:
    api = APIRouter()
    kind = kind_of(path)

    @api.get(path)
    async def handshake(request: Request) -> Response:
        for account in every_account(registry, kind):
            for token in account.secret_values("verify_token"):
                challenge = verify.handshake(request.query_params, token)
                if challenge is not None:
                    return PlainTextResponse(challenge)
        raise Rejected(403, "verify_token_mismatch")

    return api


def post_handler(path: str, run: Normalizer, registry: AccountRegistry) -> Handler:
    kind = kind_of(path)
    named = NAMED[kind]

    async def receive(state: ServiceState, req: Inbound) -> Answer:
        header = req.headers.get("x-hub-signature-256")

        def check(secret: str) -> bool:
            return verify.signature_ok(secret.encode(), req.body, header)

        routed = verified(registry, kind, named(req.body), "app_secret", check)
        hooks = webhooks(state)
        return await hooks.answer(hooks.outcome(req.body, run, path, pins(routed)), routed)

    return receive
