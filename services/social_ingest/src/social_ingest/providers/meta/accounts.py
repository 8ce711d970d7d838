"""Which channel accounts a Meta POST names, pure: read before the signature is checked, since
the account (and so the app secret) is inside the body. Bounded by the edge's body limit.

WhatsApp: each message-like or ``calls`` change's ``metadata.phone_number_id``; Messenger and
Instagram: each entry's ``id`` (the page or IG account). Read with the normalizers' own
envelope shapes (the events carry exactly these ids); a body they cannot read names nothing
(the edge then wants a signature of some account of the kind, and the normalizer answers 400/422).
WhatsApp business-account updates (templates, account reviews) name no phone number either.
"""

from __future__ import annotations

import msgspec

from social_ingest.providers.messenger import parse as messenger
from social_ingest.providers.whatsapp import parse as whatsapp
from social_ingest.providers.whatsapp.call_shapes import CALLS_FIELD


class _Named(whatsapp.S):
    metadata: whatsapp.Metadata


_envelope = msgspec.json.Decoder(whatsapp.Webhook)
_named = msgspec.json.Decoder(_Named)
_pages = msgspec.json.Decoder(messenger.Webhook)
NUMBERED = whatsapp.MESSAGE_FIELDS | {CALLS_FIELD}  # the changes that name a phone number id


def whatsapp_numbers(body: bytes) -> list[str]:
    try:
        hook = _envelope.decode(body)
    except msgspec.DecodeError:  # ValidationError included
        return []
    ids = []
    for entry in hook.entry:
        for change in entry.changes:
            if change.field in NUMBERED and (pn := _number(change.value)):
                ids.append(pn)
    return ids


def _number(value: msgspec.Raw) -> str | None:
    try:
        return _named.decode(value).metadata.phone_number_id
    except msgspec.DecodeError:
        return None


def page_ids(body: bytes) -> list[str]:
    try:
        return [entry.id for entry in _pages.decode(body).entry]
    except msgspec.DecodeError:
        return []
