"""A widget message -> message.received.v1 (pure; the id comes from visitor id + client id)."""

from __future__ import annotations

from datetime import datetime

from chat_gateway.widget.identity_token import SignedIdentity
from chat_gateway.widget.parse import Send
from chat_gateway.widget.verify import Identity
from hotline import events as ev

JWT_SOURCE = "widget.jwt"


def identifiers(who: Identity) -> list[ev.Identifier]:
    """The visitor id always (unverified: it proves the browser, not the person, and lets an
    anonymous history join the user who signs in later), then what the site vouched for."""
    out = [
        ev.identifier(
            "widget_visitor", f"{who.site}:{who.visitor_id}", "unverified", "widget.visitor_token"
        )
    ]
    if who.user:
        out.append(_site_signed("widget_user", who.user, "widget.hmac"))
    if who.signed:
        out += signed_identifiers(who.site, who.signed)
    return out


def signed_identifiers(site: str, signed: SignedIdentity) -> list[ev.Identifier]:
    out = [_site_signed("widget_user", f"{site}:{signed.sub}", JWT_SOURCE)]
    if signed.email:
        out.append(_site_signed("email", signed.email, JWT_SOURCE))
    if signed.phone:
        out.append(_site_signed("phone", signed.phone, JWT_SOURCE))
    return out


def _site_signed(kind: ev.IdentifierKind, value: str, source: str) -> ev.Identifier:
    return ev.identifier(kind, value, "site_signed", source)


def content_of(frame: Send) -> ev.Content:
    """Typed text, or a tap on one of our buttons (a survey rating: its reply id)."""
    if frame.reply_id is not None:
        return ev.InteractiveContent(reply_id=frame.reply_id, title=frame.text)
    return ev.TextContent(text=frame.text)


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
            handle=who.visitor_id, display_name=who.display_name, identifiers=identifiers(who)
        ),
        content=content_of(frame),
        thread=ev.ThreadHints(provider_conversation_id=f"{who.site}:{who.visitor_id}"),
    )
