"""A widget message -> message.received.v1 (pure; the id comes from visitor id + client id)."""

from __future__ import annotations

from datetime import datetime

from chat_gateway.widget.parse import Send
from chat_gateway.widget.verify import Identity
from hotline import events as ev


def identifiers(who: Identity) -> list[ev.Identifier]:
    out = [
        ev.Identifier(
            kind="widget_visitor",
            value=f"{who.site}:{who.visitor_id}",
            source="widget.visitor_token",
            verified=True,
        )
    ]
    if who.user:
        out.append(
            ev.Identifier(kind="widget_user", value=who.user, source="widget.hmac", verified=True)
        )
    return out


def normalize(tenant: str, who: Identity, frame: Send, received_at: datetime) -> ev.MessageReceived:
    provider_id = f"{who.visitor_id}:{frame.client_id}"
    return ev.MessageReceived(
        event_id=ev.event_id_for(tenant, "widget", f"{who.site}:{provider_id}"),
        tenant=tenant,
        channel=ev.ChannelRef(kind="widget", account_id=who.site),
        provider_message_id=provider_id,
        received_at=received_at,
        conversation_key=f"widget:{who.site}:{who.visitor_id}",
        sender=ev.Sender(
            handle=who.visitor_id, display_name=who.name, identifiers=identifiers(who)
        ),
        content=ev.TextContent(text=frame.text),
        thread=ev.ThreadHints(provider_conversation_id=f"{who.site}:{who.visitor_id}"),
    )
