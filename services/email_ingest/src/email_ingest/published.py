"""The IMAP poller's question after a crash: did the pending UID's record reach Kafka?"""

from __future__ import annotations

from email_ingest.imap_checkpoint import Pending
from hotline.kafka.lookup import was_published as _was_published


async def was_published(bootstrap: str, topic: str, pending: Pending, timeout: float = 10) -> bool:
    key = pending.partition_key.encode()
    return await _was_published(bootstrap, topic, key, pending.event_id, timeout=timeout)
