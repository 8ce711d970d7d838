"""Event samples used by the foundation tests (one per tag, every content kind)."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from hotline import events as ev

T0 = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)
WA = ev.ChannelRef(kind="whatsapp", account_id="1234567890")
MAIL = ev.ChannelRef(kind="email", account_id="support@acme.test")


def sender(verified: bool = True) -> ev.Sender:
    return ev.Sender(
        handle="+491701234567",
        display_name="Jo Müller",
        identifiers=[
            ev.Identifier(kind="phone", value="+491701234567", source="provider", verified=verified)
        ],
    )


def envelope(kind: str, pid: str, channel: ev.ChannelRef = WA) -> ev.EnvelopeFields:
    return ev.EnvelopeFields(
        event_id=ev.event_id_for("acme", channel.kind, pid, kind),
        tenant="acme",
        channel=channel,
        provider_message_id=pid,
        received_at=T0,
        provider_timestamp=T0,
        conversation_key=f"acme/{channel.kind}/+491701234567",
    )


def all_samples() -> dict[str, ev.Event]:
    att = ev.AttachmentRef(
        ref="blob:sha256/" + "a" * 64,
        mime_type="image/jpeg",
        size=10,
        sha256="a" * 64,
        filename="ä.jpg",
    )
    return {
        "agent_typing": ev.AgentTyping(
            event_id=ev.event_id_for("acme", "widget", "conv-1:typing:1", "typing"),
            tenant="acme",
            channel=ev.ChannelRef(kind="widget", account_id="site-1"),
            conversation_id="conv-1",
            recipient="visitor-9",
            on=True,
            at=T0,
        ),
        "ops_update": ev.OpsUpdate(
            event_id=ev.event_id_for("acme", "whatsapp", "tpl-1:APPROVED", "ops"),
            tenant="acme",
            channel=WA,
            field="message_template_status_update",
            name="APPROVED",
            received_at=T0,
            payload=msgspec.Raw(b'{"event":"APPROVED","message_template_id":1}'),
        ),
        "message_text": ev.MessageReceived(
            **envelope("msg", "wamid.1"), sender=sender(), content=ev.TextContent(text="Hallo 👋")
        ),
        "message_media": ev.MessageReceived(
            **envelope("msg", "wamid.2"),
            sender=sender(),
            content=ev.MediaContent(media_kind="image", caption="receipt"),
            attachments=[att],
        ),
        "message_location": ev.MessageReceived(
            **envelope("msg", "wamid.3"),
            sender=sender(),
            content=ev.LocationContent(latitude=52.52, longitude=13.405, name="Berlin"),
        ),
        "message_contacts": ev.MessageReceived(
            **envelope("msg", "wamid.4"),
            sender=sender(),
            content=ev.ContactsContent(contacts=[ev.ContactCard(name="Ann", phones=["+1555"])]),
        ),
        "message_interactive": ev.MessageReceived(
            **envelope("msg", "wamid.5"),
            sender=sender(),
            content=ev.InteractiveContent(reply_id="opt-1", title="Yes"),
            thread=ev.ThreadHints(replied_to_message_id="wamid.0"),
        ),
        "message_email": ev.MessageReceived(
            **envelope("msg", "<m1@acme.test>", MAIL),
            sender=ev.Sender(
                handle="jo@example.test",
                identifiers=[
                    ev.Identifier(
                        kind="email", value="jo@example.test", source="dkim", verified=True
                    )
                ],
            ),
            content=ev.EmailContent(
                subject="Re: order",
                text="full\n> old",
                visible_text="full",
                headers={"From": "jo@example.test"},
            ),
            thread=ev.ThreadHints(
                message_id="<m1@acme.test>",
                in_reply_to=["<m0@acme.test>"],
                references=["<m0@acme.test>"],
                reply_token="tok123",
            ),
            flags=ev.Flags(auto_reply=True, forwarded=True),
        ),
        "edited": ev.MessageEdited(
            **envelope("edit", "wamid.6"),
            target_message_id="wamid.1",
            sender=sender(),
            content=ev.TextContent(text="Hallo!"),
        ),
        "deleted": ev.MessageDeleted(**envelope("delete", "wamid.7"), target_message_id="wamid.1"),
        "reaction": ev.Reaction(
            **envelope("reaction", "wamid.8"),
            target_message_id="wamid.1",
            emoji="👍",
            sender=sender(),
        ),
        "status": ev.DeliveryStatus(
            **envelope("status", "wamid.9:failed"),
            target_message_id="wamid.9",
            status="failed",
            error_code="131047",
            error_detail="Re-engagement message",
        ),
        "reply_requested": ev.ReplyRequested(
            event_id=ev.event_id_for("acme", "whatsapp", "reply-1", "reply"),
            reply_id="reply-1",
            tenant="acme",
            channel=WA,
            conversation_id="conv-1",
            recipient="+491701234567",
            content=ev.TextContent(text="We are on it"),
            requested_at=T0,
            requested_by="agent-7",
        ),
        "reply_result": ev.ReplyResult(
            event_id=ev.event_id_for("acme", "whatsapp", "reply-1", "result"),
            reply_id="reply-1",
            tenant="acme",
            channel=WA,
            conversation_id="conv-1",
            status="window_closed",
            completed_at=T0,
            reason="window_closed",
        ),
    }
