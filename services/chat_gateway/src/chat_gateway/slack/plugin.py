"""The ``slack`` channel plugin (entry point ``hotline.channels``)."""

from chat_gateway.slack.pipeline import normalize_stored
from hotline.channels import ChannelPlugin

plugin = ChannelPlugin(
    name="slack",
    description="Slack Events API body (event_callback) -> message/edit/delete/reaction events",
    normalize=normalize_stored,
)
