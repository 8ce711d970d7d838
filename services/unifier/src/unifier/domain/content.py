"""Plain text of any content kind (for the thread view, search and previews)."""

from __future__ import annotations

from hotline import events as ev


def text_of(content: ev.Content) -> str:  # noqa: PLR0911 - one case per content kind
    if isinstance(content, ev.TextContent):
        return content.text
    if isinstance(content, ev.EmailContent):
        return content.visible_text or content.text
    if isinstance(content, ev.MediaContent):
        return content.caption or f"[{content.media_kind}]"
    if isinstance(content, ev.LocationContent):
        return (
            content.name or content.address or f"[location {content.latitude},{content.longitude}]"
        )
    if isinstance(content, ev.ContactsContent):
        return "[contacts: " + ", ".join(c.name for c in content.contacts) + "]"
    if isinstance(content, ev.InteractiveContent):
        return content.title
    return content.summary or f"[{content.provider_type}]"


def subject_of(content: ev.Content) -> str:
    return content.subject if isinstance(content, ev.EmailContent) else ""
