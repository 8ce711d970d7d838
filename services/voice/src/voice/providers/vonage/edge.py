"""Vonage edge: Voice API event webhooks, routed by the signed token's ``application_id`` to a
voice account of source "vonage" and verified under any value of its ``signature_secret``.

No token, or one that names no application: 401 (nothing to route by); an application with
no account: 404; a token the account did not sign, a body it does not hash to, or an ``iat``
outside the tolerance: 401. Nothing is produced for any of them.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from hotline.accounts import AccountRegistry
from hotline.http import Rejected, ServiceState
from hotline.http.hotpath import Answer, Handler, Inbound
from voice.providers import handoff
from voice.providers.handoff import EdgeSettings, IntakeOf, Normalizer
from voice.providers.vonage import verify
from voice.providers.vonage.normalize import normalize
from voice.providers.vonage.verify import Claims

PATH = "/webhooks/voice/vonage"
SOURCE = "vonage"
SECRET = "signature_secret"


def post_handler(
    accounts: AccountRegistry,
    settings: EdgeSettings,
    intake_of: IntakeOf,
    run: Normalizer = normalize,
    clock: Callable[[], float] = time.time,
) -> Handler:
    async def receive(state: ServiceState, req: Inbound) -> Answer:
        token = verify.bearer(req.headers.get("authorization"))
        app = verify.application_of(token) if token else None
        if token is None or app is None:
            raise Rejected(401, "bad_signature", "no signed Vonage token")
        account = handoff.routed(accounts, SOURCE, app)
        claims = _signed(account.secret_values(SECRET), token)
        problem = verify.problem(claims, req.body, clock())
        if problem:
            raise Rejected(401, problem)
        ctx = handoff.context(account, app, SOURCE, settings)
        return await handoff.hand_off(intake_of(state), req.body, ctx, run, PATH)

    return receive


def _signed(secrets: tuple[str, ...], token: str) -> Claims:
    """The claims under the first secret value that signed ``token``; 401 when none did."""
    for secret in secrets:
        claims = verify.signed_claims(token, secret)
        if claims is not None:
            return claims
    raise Rejected(401, "bad_signature")
