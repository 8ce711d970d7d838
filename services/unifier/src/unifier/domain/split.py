"""What a split takes with it: the thread keys of the messages it moves (their Message-IDs and
provider threads), so the customer's next answer to one of them joins the new thread; and a
subject for the new thread."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hotline import events as ev
from unifier.domain.content import subject_of
from unifier.domain.threading import provider_thread_key


@dataclass(frozen=True)
class SplitMessage:
    channel_kind: str
    account_id: str
    provider_message_id: str
    direction: str  # inbound | outbound
    payload: bytes  # the inbound event, or the reply request of an outbound message


def split_keys(moved: Iterable[SplitMessage]) -> set[str]:
    keys: set[str] = set()
    for m in moved:
        event = ev.decode(m.payload)
        if m.direction == "outbound":  # our reply: its Message-ID once the channel reported it
            if m.channel_kind == "email" and not m.provider_message_id.startswith("reply:"):
                keys.add("mid:" + m.provider_message_id)
            continue
        if not isinstance(event, ev.MessageReceived):
            continue
        if event.thread.message_id:
            keys.add("mid:" + event.thread.message_id)
        if pt := provider_thread_key(m.channel_kind, m.account_id, event.thread):
            keys.add("pt:" + pt)
    return keys


def split_subject(moved: Iterable[SplitMessage], source_subject: str) -> str:
    """The first moved email's subject, else the source's, marked as split."""
    for m in moved:
        event = ev.decode(m.payload)
        if isinstance(event, ev.MessageReceived) and (subject := subject_of(event.content)):
            return subject
    return f"Split: {source_subject}" if source_subject else "Split conversation"
