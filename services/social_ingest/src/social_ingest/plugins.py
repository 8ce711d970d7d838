"""``hotline normalize CHANNEL FILE``: the pure normalizers as channel plugins (entry points).

A file holds one webhook body, or (the corpus layout) a JSON object of named bodies, each
normalized in order. Ops records (``ops.update.v1``, for ``hotline.ops``) are printed beside the
events, encoded exactly as they go to Kafka; the contract has no ops tag yet (see ops.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import msgspec

from hotline import events
from hotline.channels import ChannelPlugin
from social_ingest.context import Context
from social_ingest.ops import Normalized

Normalizer = Callable[[bytes, Context], Normalized]
_named = msgspec.json.Decoder(dict[str, msgspec.Raw])


def cases(body: bytes, marker: bytes) -> list[bytes]:
    """The bodies in a file: the whole file, or each value of a {name: body} bundle."""
    try:
        top = _named.decode(body)
    except msgspec.ValidationError:
        return [body]  # not an object of objects: let the normalizer report it
    if marker.decode() in top or not top:
        return [body]
    return [bytes(v) for v in top.values()]


def plugin(name: str, description: str, run: Normalizer, marker: bytes) -> ChannelPlugin:
    def normalize(body: bytes) -> list[events.Event]:
        ctx = Context.now()
        out = Normalized()
        for case in cases(body, marker):
            out.extend(run(case, ctx))
        return [*out.events, *cast(list[events.Event], out.ops)]

    return ChannelPlugin(name=name, description=description, normalize=normalize)


def _whatsapp(body: bytes, ctx: Context) -> Normalized:
    from social_ingest.providers.whatsapp.normalize import normalize

    return normalize(body, ctx)


whatsapp = plugin("whatsapp", "WhatsApp Cloud API webhooks", _whatsapp, b"object")
