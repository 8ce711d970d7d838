"""CTI edge: ``POST /webhooks/voice/cti/{account}`` from a PBX, routed by the path's account
name to a voice account of source "cti" and verified under any value of its
``signing_secret`` (``X-Hotline-Signature``, see ``verify``).

Unknown account: 404; no or malformed signature header, a stale timestamp or a signature no
secret value makes: 401. Nothing is produced for any of them.
"""

from __future__ import annotations

from hotline.accounts import Account, AccountRegistry
from hotline.http import Rejected
from hotline.http.hotpath import Inbound
from voice.intake import BodyEdge
from voice.providers.cti import verify
from voice.providers.cti.normalize import normalize
from voice.routing import routed, signed

PATH = "/webhooks/voice/cti/*"  # ``serve_posts``: one more segment, the account's name
SOURCE = "cti"
SECRET = "signing_secret"


def admit(registry: AccountRegistry, req: Inbound, now: float) -> tuple[Account, str]:
    """The account named by the path whose secret signed the request, and its name."""
    name = req.path.rstrip("/").rpartition("/")[2]
    account = routed(registry, SOURCE, name)
    stamp = verify.stamp_of(req.headers.get(verify.HEADER))
    if stamp is None:
        raise Rejected(401, "bad_signature", f"no valid {verify.HEADER} header")
    if not verify.fresh(stamp, now):
        raise Rejected(401, "stale_signature")
    signed(account, SECRET, lambda secret: verify.signed_with(secret, stamp, req.body))
    return account, name


EDGE = BodyEdge(PATH, admit, normalize)
post_handler = EDGE.post_handler
