"""Our own inbound test events (the channel services are written in parallel)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hotline import events as ev

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
ACCOUNTS = {"email": "support@acme.test", "whatsapp": "PN1", "widget": "site1", "slack": "T1"}


def ident(
    kind: ev.IdentifierKind,
    value: str,
    verified: bool = True,
    level: ev.VerificationLevel | None = None,
) -> ev.Identifier:
    if level is not None:
        verified = level in ev.LINKING_LEVELS
    return ev.Identifier(kind=kind, value=value, source="test", verified=verified, level=level)


def message(
    pmid: str,
    kind: ev.ChannelKind = "email",
    *,
    handle: str = "alice@example.test",
    ids: list[ev.Identifier] | None = None,
    text: str = "hello",
    at: timedelta = timedelta(0),
    tenant: str = "acme",
    hints: ev.ThreadHints | None = None,
    flags: ev.Flags | None = None,
    role: ev.Role = "customer",
) -> ev.MessageReceived:
    content: ev.Content = (
        ev.EmailContent(subject="Help", text=text, visible_text=text)
        if kind == "email"
        else ev.TextContent(text=text)
    )
    return ev.MessageReceived(
        event_id=ev.event_id_for(tenant, kind, pmid),
        tenant=tenant,
        channel=ev.ChannelRef(kind=kind, account_id=ACCOUNTS.get(kind, "acct")),
        provider_message_id=pmid,
        received_at=T0 + at,
        conversation_key=handle,
        sender=ev.Sender(handle=handle, identifiers=ids or [], role=role),
        content=content,
        thread=hints or ev.ThreadHints(message_id=f"<{pmid}@x>" if kind == "email" else None),
        flags=flags or ev.Flags(),
    )


def envelope(kind: ev.ChannelKind, pmid: str, tenant: str = "acme") -> ev.EnvelopeFields:
    return {
        "event_id": ev.event_id_for(tenant, kind, pmid, "effect"),
        "tenant": tenant,
        "channel": ev.ChannelRef(kind=kind, account_id=ACCOUNTS.get(kind, "acct")),
        "provider_message_id": pmid,
        "received_at": T0,
        "conversation_key": "k",
    }


def whatsapp_run(
    tenant: str, first: int, n: int, people: int | None = None
) -> list[ev.MessageReceived]:
    """WhatsApp messages m<first>..: one sender each, or ``people`` senders taking turns."""

    def number(i: int) -> str:
        return f"49151{(i % people if people else i):07d}"

    return [
        message(
            f"m{i}",
            "whatsapp",
            tenant=tenant,
            handle="+" + number(i),
            ids=[ident("wa_id", number(i))],
        )
        for i in range(first, first + n)
    ]
