"""X Account Activity edge: GET CRC (no Kafka, fast), signed POSTs.

A POST names its account in ``for_user_id``: an enabled x account (else 404) whose
``consumer_secret`` (any value) signs the body (else 401). The CRC GET names no account, and
its answer is one HMAC: with the newest ``consumer_secret`` of the account a ``for_user_id``
query parameter names (a webhook URL registered per X app may carry it), else the one value
every x account shares (one X app for every subscribed user, the usual case), else the
environment account's; several apps and neither: 409, the CRC cannot be answered.
"""

from __future__ import annotations

import msgspec
from fastapi import APIRouter, Request

from hotline.accounts import AccountRegistry
from hotline.accounts.registry import ANY
from hotline.accounts.routing import routed
from hotline.http import Rejected, ServiceState
from hotline.http.hotpath import Answer, Handler, Inbound
from social_ingest.accounts import every_account
from social_ingest.providers.x import verify
from social_ingest.providers.x.normalize import normalize
from social_ingest.routing import pins, verified
from social_ingest.webhook import Normalizer, webhooks

PATH = "/webhooks/x"


class _Named(msgspec.Struct, forbid_unknown_fields=False):
    for_user_id: str  # as the normalizer reads it


_named = msgspec.json.Decoder(_Named)


def account_ids(body: bytes) -> list[str]:
    """The account a POST names (none when the body cannot say: the normalizer's 400/422)."""
    try:
        return [_named.decode(body).for_user_id]
    except msgspec.DecodeError:
        return []


def crc_secret(registry: AccountRegistry, user: str | None) -> str:
    if user:
        named = routed(registry, "x", user).secret("consumer_secret")
        if named:
            return named
    newest = {a.account_id: a.secret("consumer_secret") for a in every_account(registry, "x")}
    values = {v for v in newest.values() if v}
    if len(values) == 1:
        return values.pop()
    env = newest.get(ANY)
    if env:
        return env
    raise Rejected(409 if values else 404, "no_crc_secret", "name the account: ?for_user_id=")


def crc_router(registry: AccountRegistry) -> APIRouter:
    api = APIRouter()

    @api.get(PATH)
    async def crc(request: Request) -> dict[str, str]:
        token = request.query_params.get("crc_token", "")
        if not token or len(token) > 512:
            raise Rejected(400, "bad_crc_token")
        secret = crc_secret(registry, request.query_params.get("for_user_id"))
        return verify.crc_response(secret.encode(), token)

    return api


def post_handler(registry: AccountRegistry, run: Normalizer = normalize) -> Handler:
    async def receive(state: ServiceState, req: Inbound) -> Answer:
        header = req.headers.get("x-twitter-webhooks-signature")

        def check(secret: str) -> bool:
            return verify.signature_ok(secret.encode(), req.body, header)

        accounts = verified(registry, "x", account_ids(req.body), "consumer_secret", check)
        hooks = webhooks(state)
        return await hooks.answer(hooks.outcome(req.body, run, PATH, pins(accounts)), accounts)

    return receive
