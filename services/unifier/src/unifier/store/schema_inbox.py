"""Indexes of the inbox list at millions of conversations (migration 0012, make bench-inbox).

Contact names on a list page are read through the threads each contact wrote in
(``store.names``): participants by contact. The channel filter ("a message on this channel")
probes each candidate thread from the index alone: ``ix_messages_thread`` ends with the
channel kind (migration 0023; 0012 made a second index for it). Text
search (``store.inbox_search``) on PostgreSQL: a GIN index on ``to_tsvector('simple', text)``
of messages. That one exists on PostgreSQL only (the migration creates it there); Alembic's
comparison skips an expression index SQLite cannot reflect.
"""

from __future__ import annotations

import sqlalchemy as sa

from unifier.store.schema import messages, participants

TEXT_SEARCH_INDEX = "ix_messages_text_search"
sa.Index("ix_participants_contact", participants.c.tenant, participants.c.contact_id)
sa.Index(
    TEXT_SEARCH_INDEX,
    sa.func.to_tsvector(sa.text("'simple'"), messages.c.text),
    postgresql_using="gin",
)
