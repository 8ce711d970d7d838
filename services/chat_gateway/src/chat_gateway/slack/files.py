"""Slack file_share attachments: which files to copy (pure) and the swap of their refs.

The event always carries ``provider:slack/<file id>`` with the file's metadata. When a blob
store is configured the edge downloads each file with the workspace's bot token (allowed hosts
only, size-capped, inside the ack window) and the ref becomes ``blob:sha256/...``; a failed
download keeps the provider ref, so the message is never held back by a file.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from chat_gateway.slack.parse import InnerEvent, MessageEvent
from hotline import events as ev

PROVIDER_PREFIX = "provider:slack/"


@dataclass(frozen=True)
class FileRef:
    file_id: str
    url: str
    size: int | None


def files_of(inner: InnerEvent) -> list[FileRef]:
    if not isinstance(inner, MessageEvent):
        return []
    return [
        FileRef(f.id, f.url_private_download, f.size) for f in inner.files if f.url_private_download
    ]


def with_blobs(event: ev.Event, stored: dict[str, tuple[str, str]]) -> ev.Event:
    """Replace provider refs by blob refs for the files in ``stored`` (file id -> ref, sha)."""
    if not isinstance(event, ev.MessageReceived) or not stored:
        return event
    attachments = [_swap(a, stored) for a in event.attachments]
    return msgspec.structs.replace(event, attachments=attachments)


def _swap(a: ev.AttachmentRef, stored: dict[str, tuple[str, str]]) -> ev.AttachmentRef:
    file_id = a.ref.removeprefix(PROVIDER_PREFIX)
    if not a.ref.startswith(PROVIDER_PREFIX) or file_id not in stored:
        return a
    ref, sha = stored[file_id]
    return msgspec.structs.replace(a, ref=ref, sha256=sha)
