"""The gateway's one account registry: Slack workspaces and widget sites, the environment's
(``HOTLINE_SLACK_WORKSPACES``, ``HOTLINE_WIDGET_SITES``) as the fallback under the managed ones
the feed puts in."""

from __future__ import annotations

from chat_gateway.settings import ChatSettings
from chat_gateway.slack.accounts import slack_fallback
from chat_gateway.widget.sites import widget_fallback
from hotline.accounts import AccountRegistry


def registry_for(settings: ChatSettings) -> AccountRegistry:
    return AccountRegistry(slack_fallback(settings) + widget_fallback(settings))
