"""Channel registry: each channel service registers a pure parse+normalize under the
``hotline.channels`` entry-point group, so ``hotline normalize CHANNEL FILE`` can run it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points

from hotline import events
from hotline.capture import HttpRequest

# A webhook channel's whole edge, pure: a captured request and its secret (None: the signature
# is not checked) -> events. Raises ``hotline.http.Rejected`` when the signature is refused.
RequestNormalizer = Callable[[HttpRequest, str | None], list[events.Event]]

ENTRY_POINT_GROUP = "hotline.channels"


@dataclass(frozen=True)
class ChannelPlugin:
    name: str
    description: str
    # Pure: stored payload bytes -> events exactly as they would be encoded on Kafka.
    # Raises PermanentError / msgspec errors for input that would be dead-lettered.
    normalize: Callable[[bytes], list[events.Event]]
    # Webhook channels: runs on a raw HTTP request capture (``hotline normalize --secret``).
    request: RequestNormalizer | None = None


def registered() -> dict[str, ChannelPlugin]:
    plugins: dict[str, ChannelPlugin] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        plugin = ep.load()
        if isinstance(plugin, ChannelPlugin):
            plugins[plugin.name] = plugin
    return plugins
