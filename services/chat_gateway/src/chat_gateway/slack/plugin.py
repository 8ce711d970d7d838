"""The ``slack`` channel plugin (entry point ``hotline.channels``)."""

from hotline.channels import ChannelPlugin

from chat_gateway.slack.pipeline import normalize_stored

plugin = ChannelPlugin(
    name="slack",
    description="Slack Events API body (event_callback) -> message/edit/delete/reaction events",
    normalize=normalize_stored,
)
