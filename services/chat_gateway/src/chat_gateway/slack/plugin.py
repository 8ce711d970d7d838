"""The ``slack`` channel plugin (entry point ``hotline.channels``): a stored Events API body, or
a raw HTTP request capture whose v0 signature ``hotline normalize slack --secret`` checks with
the signing secret (against the capture's own timestamp: a capture is old)."""

from chat_gateway.slack.pipeline import normalize_stored
from chat_gateway.slack.verify import TIMESTAMP_HEADER, verify
from hotline import events
from hotline.capture import HttpRequest
from hotline.channels import ChannelPlugin


def _request(req: HttpRequest, secret: str | None) -> list[events.Event]:
    if secret is not None:
        stamp = req.header(TIMESTAMP_HEADER) or ""
        verify(req.headers, req.body, {"T": secret}, float(stamp) if stamp.isdigit() else 0.0)
    return normalize_stored(req.body)


plugin = ChannelPlugin(
    name="slack",
    description="Slack Events API body (event_callback) -> message/edit/delete/reaction events",
    normalize=normalize_stored,
    request=_request,
)
