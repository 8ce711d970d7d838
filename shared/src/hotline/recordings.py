"""Call recordings copied from the provider into the blob store before the event is published.

A provider's recording link expires or needs the account's credentials, so the voice edges
copy the file first (``hotline.blobs.fetch``: retries for timeouts, network errors, 429 and
5xx, within attempts and a total budget; a size cap; allowed hosts only) and publish the
``CallRecording`` / ``CallVoicemail`` event with the ``AttachmentRef`` this returns: the
blob's ref, size and sha256, or the provider's ref with ``fetch_error`` ("http 404",
"timeout", ...): a recording that could not be copied is visible as failed, never missing.

Credentials: ``auth`` gives each request's headers, asked again for every attempt (Twilio:
``basic_auth(AccountSid, auth_token)``; Vonage: ``bearer(mint_jwt)`` with a fresh JWT). They
go to the recording's own origin only, never to a host a redirect leads to.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping

import httpx
import msgspec

from hotline import events as ev
from hotline.blobs.fetch import BlobFetcher, FetchLimits, Located
from hotline.blobs.store import BlobStore

AuthHeaders = Callable[[], Mapping[str, str]]
GENERIC = frozenset({"", "application/octet-stream"})
# Where Twilio and Vonage serve recordings (and their subdomains); an edge whose provider
# serves or redirects elsewhere passes its own ``FetchLimits``
RECORDING_HOSTS = ("twilio.com", "twiliocdn.com", "nexmo.com", "vonage.com")
DEFAULT_LIMITS = FetchLimits(
    budget=10.0, attempts=3, max_bytes=200 * 1024 * 1024, hosts=RECORDING_HOSTS, backoff=0.5
)


def basic_auth(user: str, password: str) -> AuthHeaders:
    """HTTP Basic (Twilio: the AccountSid and the account's auth token)."""
    pair = base64.b64encode(f"{user}:{password}".encode()).decode()
    return lambda: {"Authorization": f"Basic {pair}"}


def bearer(token: Callable[[], str]) -> AuthHeaders:
    """A bearer token made per request (Vonage: a JWT signed with the application's key)."""
    return lambda: {"Authorization": f"Bearer {token()}"}


async def fetch_recording(
    recording: ev.AttachmentRef,
    url: str,
    auth: AuthHeaders,
    *,
    store: BlobStore,
    client: httpx.AsyncClient,
    limits: FetchLimits = DEFAULT_LIMITS,
) -> ev.AttachmentRef:
    """The ref to publish for ``recording`` (the provider's ref, e.g.
    ``provider:twilio/RE…``), its file at ``url``: stored in the blob store, or the
    provider's ref with ``fetch_error``. ``recording`` itself is left as it was. A generic
    ``mime_type`` becomes the audio type the provider answered with."""
    out = msgspec.structs.replace(recording, fetch_error=None)

    async def locate() -> Located:
        return url, dict(auth())

    [mime] = await BlobFetcher(store, client, limits).fetch_all([(out, locate)])
    if out.mime_type in GENERIC and mime.startswith("audio/"):
        out.mime_type = mime
    return out
