"""``hotline normalize voice-twilio FILE``: the pure Twilio Voice normalizer as a channel
plugin (entry point ``hotline.channels``).

A file holds one form-encoded callback body, or a raw HTTP request capture whose signature
``--secret`` (the account's auth token) checks as the edge would: over the capture's URL,
query included. Events are printed for tenant "default" and region "US" on the body's
``AccountSid``; markers in the capture's query (``voicemail=1``) apply as on the edge.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hotline import events
from hotline.capture import HttpRequest
from hotline.channels import ChannelPlugin
from hotline.http import Rejected
from voice.calls import CallContext

TENANT, REGION = "default", "US"


def _run(body: bytes, query: str = "") -> list[events.Event]:
    from hotline.twilio import parse_form
    from voice.providers.twilio import parse, verify
    from voice.providers.twilio.normalize import normalize

    form = parse.json_form(body) if verify.is_json(query) else parse_form(body)
    ctx = CallContext(
        TENANT,
        form.fields.get("AccountSid", ""),
        datetime.now(UTC),
        REGION,
        verify.flags(query),
    )
    return list(normalize(form, ctx))


def _request(req: HttpRequest, secret: str | None) -> list[events.Event]:
    from hotline.twilio import parse_form
    from voice.providers.twilio import verify

    query = req.url.partition("?")[2]
    if secret is not None:
        pairs = [] if verify.is_json(query) else parse_form(req.body).pairs
        if not verify.request_ok(
            secret, req.url, req.body, pairs, req.header("x-twilio-signature")
        ):
            raise Rejected(401, "bad_signature", "the signature does not match this secret")
    return _run(req.body, query)


twilio = ChannelPlugin(
    name="voice-twilio",
    description="Twilio Voice status, recording and transcription callbacks (form bodies)",
    normalize=_run,
    request=_request,
)
