"""Tables. Changes go through an Alembic migration in ``migrations/versions``."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()
TS = sa.DateTime(timezone=True)

contacts = sa.Table(
    "contacts",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("contact_id", sa.String(64), primary_key=True),
    sa.Column("merged_into", sa.String(64), nullable=True),  # merges point, nothing is destroyed
    sa.Column("created_at", TS, nullable=False),
)
sa.Index("ix_contacts_merged_into", contacts.c.tenant, contacts.c.merged_into)
identities = sa.Table(
    "identities",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("value", sa.String(320), primary_key=True),
    sa.Column("level", sa.String(32), primary_key=True),  # hotline.events.VerificationLevel
    sa.Column("verified", sa.Boolean, nullable=False),  # level in LINKING_LEVELS
    sa.Column("contact_id", sa.String(64), nullable=False),
    sa.Column("source", sa.String(64), nullable=False),
    sa.Column("channel_kind", sa.String(16), nullable=False),
    sa.Column("account_id", sa.String(320), nullable=False),
    sa.Column("handle", sa.String(320), nullable=False),  # replies to this identity go here
    # evidence of the link: the message that carried it, the rule and why (NULL: before 0005)
    sa.Column("link_event_id", sa.String(64), nullable=True),
    sa.Column("rule", sa.String(64), nullable=True),
    sa.Column("evidence", sa.Text, nullable=True),
)
sa.Index("ix_identities_contact", identities.c.tenant, identities.c.contact_id)
sa.Index("ix_identities_value", identities.c.tenant, identities.c.value)
claims = sa.Table(  # unique: one new contact per identifier (unifier.domain.claims)
    "identity_claims",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("value", sa.String(320), primary_key=True),
    sa.Column("claim_class", sa.String(32), primary_key=True),
    sa.Column("contact_id", sa.String(64), nullable=False),
)
suggestions = sa.Table(  # one row per pair of contacts (the smaller id first), any direction
    "suggestions",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("contact_id", sa.String(64), primary_key=True),
    sa.Column("suggested_contact_id", sa.String(64), primary_key=True),
    sa.Column("evidence", sa.Text, nullable=False),
    sa.Column("suggestion_id", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default="open"),  # accepted|dismissed
    sa.Column("kind", sa.String(32), nullable=True),  # the identifier that matched
    sa.Column("value", sa.String(320), nullable=True),
    sa.Column("level", sa.String(32), nullable=True),
    sa.Column("source_event_id", sa.String(64), nullable=True),
    sa.Column("rule", sa.String(64), nullable=True),
    sa.Column("decided_by", sa.String(200), nullable=True),
    sa.Column("decided_at", TS, nullable=True),
)
sa.Index("ix_suggestions_id", suggestions.c.tenant, suggestions.c.suggestion_id, unique=True)
sa.Index("ix_suggestions_suggested", suggestions.c.tenant, suggestions.c.suggested_contact_id)
threads = sa.Table(
    "threads",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("thread_id", sa.String(64), primary_key=True),
    sa.Column("contact_id", sa.String(64), nullable=False),
    sa.Column("channel_kind", sa.String(16), nullable=False),
    sa.Column("open", sa.Boolean, nullable=False),
    sa.Column("opened_at", TS, nullable=False),
    sa.Column("last_message_at", TS, nullable=False),
    sa.Column("closed_at", TS, nullable=True),
    sa.Column("message_count", sa.Integer, nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("merged_into", sa.String(64), nullable=True),  # thread merges point, never delete
    sa.Column("assignee", sa.String(64), nullable=True),  # agent id (migration 0009)
    sa.Column("snoozed_until", TS, nullable=True),  # open, hidden from the views until then
    # calls (migration 0015): the latest missed call owed a call back, and the latest answered
    # call or agent's call back; the thread needs a callback while the first is the later
    sa.Column("callback_due_at", TS, nullable=True),
    sa.Column("callback_done_at", TS, nullable=True),
    # triage (migration 0016): ISO 639-1 language of the latest customer message, the category
    # and priority; NULL until triaged. Routing skills and SLA policies match on them.
    sa.Column("language", sa.String(16), nullable=True),
    sa.Column("category", sa.String(64), nullable=True),
    sa.Column("priority", sa.String(16), nullable=True),
    # SLA (migration 0017, ``schema_sla``): waiting on the customer since, the earliest running
    # due time, the inbox badge (ok|warning|breached|paused) and the scheduler's next look
    sa.Column("waiting_since", TS, nullable=True),
    sa.Column("sla_due_at", TS, nullable=True),
    sa.Column("sla_status", sa.String(16), nullable=True),
    sa.Column("sla_next_at", TS, nullable=True),
)
sa.Index("ix_threads_recent", threads.c.tenant, threads.c.last_message_at)
# Partial indexes (migration 0023) hold only the rows their queries can match ("assignee = x"
# and "closed_at >= t" imply NOT NULL): a new or updated open, unassigned thread writes none.
ASSIGNED, CLOSED = "assignee IS NOT NULL", "closed_at IS NOT NULL"
sa.Index(
    "ix_threads_assignee",
    threads.c.tenant,
    threads.c.assignee,
    threads.c.last_message_at,
    sqlite_where=sa.text(ASSIGNED),
    postgresql_where=sa.text(ASSIGNED),
)
# the operations report (migration 0021): the conversations opened in a window, those closed
# after it (the backlog it ends with), those owed a call back
sa.Index("ix_threads_opened", threads.c.tenant, threads.c.opened_at)
sa.Index(
    "ix_threads_closed",
    threads.c.tenant,
    threads.c.closed_at,
    sqlite_where=sa.text(CLOSED),
    postgresql_where=sa.text(CLOSED),
)
OWED = "callback_due_at IS NOT NULL"  # only threads that ever missed a call: no cost to others
sa.Index(
    "ix_threads_callback_due",
    threads.c.tenant,
    sqlite_where=sa.text(OWED),
    postgresql_where=sa.text(OWED),
)
participants = sa.Table(
    "thread_participants",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("thread_id", sa.String(64), primary_key=True),
    sa.Column("contact_id", sa.String(64), primary_key=True),
)
thread_keys = sa.Table(  # "mid:<Message-ID>", "tok:<reply token>", "pt:<provider thread>", "grp:.."
    "thread_keys",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("key", sa.String(512), primary_key=True),
    sa.Column("thread_id", sa.String(64), nullable=False),
)
messages = sa.Table(
    "messages",
    metadata,
    sa.Column("message_id", sa.String(64), nullable=False),  # the inbound event id
    sa.Column("tenant", sa.String(64), nullable=False),
    sa.Column("channel_kind", sa.String(16), nullable=False),
    sa.Column("provider_message_id", sa.String(512), nullable=False),
    sa.Column("account_id", sa.String(320), nullable=False),
    sa.Column("thread_id", sa.String(64), nullable=False),
    sa.Column("contact_id", sa.String(64), nullable=False),
    # the contact whose identity the sender matched, when a merge made contact_id another one:
    # unmerging that contact gives the message back to it (NULL: the same as contact_id)
    sa.Column("resolved_contact_id", sa.String(64), nullable=True),
    sa.Column("sender_handle", sa.String(320), nullable=False),
    # the display name the channel gave (cleaned; NULL: none given, or stored before 0006)
    sa.Column("sender_name", sa.String(200), nullable=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("at", TS, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("edited", sa.Boolean, nullable=False, default=False),
    sa.Column("deleted", sa.Boolean, nullable=False, default=False),
    sa.Column("reactions", sa.Text, nullable=False, default="{}"),
    sa.Column("status", sa.String(16), nullable=True),
    sa.Column("rule", sa.String(64), nullable=False),
    sa.Column("evidence", sa.Text, nullable=False),
    sa.Column("rule_version", sa.String(16), nullable=False),
    sa.Column("payload", sa.LargeBinary, nullable=False),
    # outbound messages (agent replies) share the table: provider_message_id is "reply:<id>"
    # until the channel reports its own id, so one channel message is still one row either way
    sa.Column("direction", sa.String(8), nullable=False, server_default="inbound"),
    sa.Column("author", sa.String(320), nullable=True),  # the agent of an outbound message
    sa.Column("reply_id", sa.String(64), nullable=True),
    sa.Column("status_detail", sa.Text, nullable=True),  # a provider error, a DSN diagnostic
    sa.Column("history", sa.Text, nullable=True),  # JSON: earlier texts (edits, a deletion)
    sa.Column("language", sa.String(16), nullable=True),  # ISO 639-1, from triage (0016)
    # triage's results (JSON list: aspect, value, applied, source, confidence, evidence), like
    # rule/evidence/rule_version for the thread decision (migration 0018, store.triage_rows)
    sa.Column("triage", sa.Text, nullable=True),
    # unique (tenant, channel, provider message id); this column order also serves the lookups.
    # message_id is a uuid5 of these three, so it has no index of its own (migration 0003).
    sa.PrimaryKeyConstraint("tenant", "provider_message_id", "channel_kind", name="pk_messages"),
)
# a thread's messages in time order; the channel kind last, so "a message of this thread on
# this channel" is answered from the index alone (the inbox's channel filter, migration 0023)
sa.Index(
    "ix_messages_thread",
    messages.c.tenant,
    messages.c.thread_id,
    messages.c.at,
    messages.c.channel_kind,
)
DELETED_TEXT = "deleted AND history IS NOT NULL"  # only deleted messages: no cost to inserts
sa.Index(
    "ix_messages_deleted_text",
    messages.c.at,
    sqlite_where=sa.text(DELETED_TEXT),
    postgresql_where=sa.text(DELETED_TEXT),
)
held = sa.Table(  # effects (edit/delete/reaction/status) that arrived before their message
    "held_effects",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(64), nullable=False),
    sa.Column("channel_kind", sa.String(16), nullable=False),
    sa.Column("target_id", sa.String(512), nullable=False),
    sa.Column("payload", sa.LargeBinary, nullable=False),
    sa.Column("held_at", TS, nullable=True),  # held effects expire (store.held.drop_expired)
)
sa.Index("ix_held_target", held.c.tenant, held.c.target_id)
offsets = sa.Table(
    "consumer_offsets",
    metadata,
    sa.Column("group_id", sa.String(128), primary_key=True),
    sa.Column("topic", sa.String(255), primary_key=True),
    sa.Column("partition", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("next_offset", sa.BigInteger, nullable=False),
)
outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("topic", sa.String(255), nullable=False),
    sa.Column("key", sa.LargeBinary, nullable=False),
    sa.Column("event_type", sa.String(64), nullable=False),
    sa.Column("event_id", sa.String(64), nullable=False),
    sa.Column("payload", sa.LargeBinary, nullable=False),
)
replies = sa.Table(  # agent replies, by Idempotency-Key (honoured for 24 h)
    "replies",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("idempotency_key", sa.String(200), primary_key=True),
    sa.Column("reply_id", sa.String(64), nullable=False),
    sa.Column("conversation_id", sa.String(64), nullable=False),
    sa.Column("created_at", TS, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("response", sa.Text, nullable=False),
)

# Tables of other concerns share this metadata; imported last (they import it from here).
from unifier.store import (  # noqa: E402, F401
    schema_accounts,
    schema_assignment,
    schema_calls,
    schema_channels,
    schema_inbox,
    schema_routing,
    schema_sla,
    schema_surveys,
    schema_templates,
    schema_triage,
    schema_uploads,
    schema_workspace,
)
