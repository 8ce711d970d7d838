"""CTI edge: ``POST /webhooks/voice/cti/{account}`` from a PBX, routed by the path's account
name to a voice account of source "cti" and verified under any value of its
``signing_secret`` (``X-Hotline-Signature``, see ``verify``).

Unknown account: 404; no or malformed signature header, a stale timestamp or a signature no
secret value makes: 401. Nothing is produced for any of them.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from hotline.accounts import AccountRegistry
from hotline.http import Rejected, ServiceState
from hotline.http.hotpath import Answer, Handler, Inbound
from voice.providers import handoff
from voice.providers.cti import verify
from voice.providers.cti.normalize import normalize
from voice.providers.handoff import EdgeSettings, IntakeOf, Normalizer

PATH = "/webhooks/voice/cti/*"  # ``serve_posts``: one more segment, the account's name
SOURCE = "cti"
SECRET = "signing_secret"


def post_handler(
    accounts: AccountRegistry,
    settings: EdgeSettings,
    intake_of: IntakeOf,
    run: Normalizer = normalize,
    clock: Callable[[], float] = time.time,
) -> Handler:
    async def receive(state: ServiceState, req: Inbound) -> Answer:
        name = req.path.rstrip("/").rpartition("/")[2]
        account = handoff.routed(accounts, SOURCE, name)
        stamp = verify.stamp_of(req.headers.get(verify.HEADER))
        if stamp is None:
            raise Rejected(401, "bad_signature", f"no valid {verify.HEADER} header")
        if not verify.fresh(stamp, clock()):
            raise Rejected(401, "stale_signature")
        handoff.signed(
            account.secret_values(SECRET), lambda s: verify.signed_with(s, stamp, req.body)
        )
        ctx = handoff.context(account, name, SOURCE, settings)
        return await handoff.hand_off(intake_of(state), req.body, ctx, run, PATH)

    return receive
