"""Waiting on the customer as a unified event: each wait has one start and one end, and both
events take their ids from the wait's start, so the end is one event whoever ends it (an agent,
or the customer's message in a batch that a replay processes again)."""

from __future__ import annotations

from datetime import datetime

from hotline import unified as un

MANUAL = "manual"
CUSTOMER_MESSAGE = "customer_message"


def waiting_event(
    tenant: str,
    tid: str,
    since: datetime,
    ended_at: datetime | None = None,
    by: str | None = None,
) -> un.ConversationWaiting:
    """The wait that began at ``since``: its start, or (``ended_at``) its end; ``by`` None: the
    customer's message ended it."""
    on = ended_at is None
    return un.ConversationWaiting(
        event_id=un.unified_event_id(tenant, tid, since.isoformat(), "waiting", str(on).lower()),
        tenant=tenant,
        occurred_at=since if ended_at is None else ended_at,
        conversation_id=tid,
        waiting=on,
        at=since if ended_at is None else ended_at,
        since=since,
        by=by,
        reason=MANUAL if by is not None else CUSTOMER_MESSAGE,
    )
