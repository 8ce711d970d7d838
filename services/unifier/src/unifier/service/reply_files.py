"""The files a reply carries: refs this tenant uploaded (``POST .../uploads``), on a channel whose
sender can deliver them. Anything else is refused with a 422 saying why, before anything is
written or published."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import events as ev
from unifier.service.commands import CommandError
from unifier.store import upload_rows

# The channel kinds whose reply senders deliver ReplyRequested.attachments, read from the blob
# store: email (MIME parts), WhatsApp (uploaded to the Cloud API's /media, then sent as image or
# document messages). SMS without MMS, X DMs, Messenger, Telegram, chat and widget replies send
# text only (their senders refuse files rather than drop them).
ATTACHMENT_CHANNELS = frozenset({"email", "whatsapp"})


async def reply_attachments(
    conn: AsyncConnection, tenant: str, channel_kind: str, refs: Sequence[str]
) -> list[ev.AttachmentRef]:
    """The contract's refs for ``refs`` on a reply to ``channel_kind``, in the order given."""
    if not refs:
        return []
    if channel_kind not in ATTACHMENT_CHANNELS:
        can = ", ".join(sorted(ATTACHMENT_CHANNELS))
        raise CommandError(
            422,
            "attachments_unsupported",
            f"replies on {channel_kind} cannot carry attachments (replies on {can} can)",
        )
    found = await upload_rows.find_uploads(conn, tenant, refs)
    unknown = [r for r in refs if r not in found]
    if unknown:
        raise CommandError(
            422, "unknown_attachment", f"no uploaded file {unknown[0]} in this workspace"
        )
    return [_ref(found[r]) for r in dict.fromkeys(refs)]


def _ref(row: dict[str, object]) -> ev.AttachmentRef:
    ref = str(row["ref"])
    return ev.AttachmentRef(
        ref=ref,
        mime_type=str(row["mime_type"]),
        size=int(str(row["size"])),
        sha256=ref.rsplit("/", 1)[-1],
        filename=str(row["filename"]),
    )
