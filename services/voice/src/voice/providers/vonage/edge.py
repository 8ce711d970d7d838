"""Vonage edge: Voice API event webhooks, routed by the signed token's ``application_id`` to a
voice account of source "vonage" and verified under any value of its ``signature_secret``.

No token, or one that names no application: 401 (nothing to route by); an application with
no account: 404; a token the account did not sign, a body it does not hash to, or an ``iat``
outside the tolerance: 401. Nothing is produced for any of them. A transcription event's
document is fetched with the account's JWT before its ``call.transcript`` is published.
"""

from __future__ import annotations

from hotline.accounts import Account, AccountRegistry
from hotline.http import Rejected
from hotline.http.hotpath import Inbound
from voice.intake import BodyEdge
from voice.providers.vonage import verify
from voice.providers.vonage.normalize import normalize
from voice.providers.vonage.transcript import pending
from voice.routing import routed, verified

PATH = "/webhooks/voice/vonage"
SOURCE = "vonage"
SECRET = "signature_secret"


def admit(registry: AccountRegistry, req: Inbound, now: float) -> tuple[Account, str]:
    """The account whose secret signed the request's token, and its application id."""
    token = verify.bearer(req.headers.get("authorization"))
    app = verify.application_of(token) if token else None
    if token is None or app is None:
        raise Rejected(401, "bad_signature", "no signed Vonage token")
    account = routed(registry, SOURCE, app)
    claims = verified(account, SECRET, lambda secret: verify.signed_claims(token, secret))
    problem = verify.problem(claims, req.body, now)
    if problem:
        raise Rejected(401, problem)
    return account, app


EDGE = BodyEdge(PATH, admit, normalize, pending)
post_handler = EDGE.post_handler
