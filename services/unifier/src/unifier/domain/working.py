"""The working set a batch is decided against (loaded by the store) and the plan it produces."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hotline.events import CallEvent, InboundEvent
from hotline.unified import CallRecord, UnifiedEvent
from unifier.domain.identity import IdentityKey, KnownIdentity
from unifier.domain.threading import ThreadContext, ThreadView
from unifier.domain.triage import LanguageGuess, TriageRecord

MsgKey = tuple[str, str]  # (channel kind, provider message id), within one tenant
UnifierInbound = InboundEvent | CallEvent  # what the inbound topics carry to the unifier


@dataclass
class ThreadRow:
    thread_id: str
    contact_id: str
    channel_kind: str
    open: bool
    opened_at: datetime
    last_message_at: datetime
    closed_at: datetime | None = None
    message_count: int = 0
    subject: str = ""
    # contact ids as stored; the store loads only the batch's contacts (and those merged into
    # them), so this is not the whole set: has_participants says whether anyone wrote in it
    participants: set[str] = field(default_factory=set)
    has_participants: bool = False
    snoozed_until: datetime | None = None  # a customer message before then wakes it
    waiting: bool = False  # stored as waiting on the customer (``threads.waiting_since``)
    # set by this batch's triage (domain.triage); None keeps what the store has
    language: str | None = None
    category: str | None = None  # the first this batch gives it (an older one is kept)
    priority: str | None = None  # the highest this batch gives it (a higher stored one is kept)
    # their canonical ids, built on the first view and kept up to date by add_participant
    _canonical: set[str] | None = field(default=None, repr=False, compare=False)

    def view(self, canonical: dict[str, str]) -> ThreadView:
        if self._canonical is None:
            self._canonical = {canonical.get(c, c) for c in self.participants}
        return ThreadView(
            self.thread_id,
            self.open,
            self.last_message_at,
            self._canonical,
            self.closed_at,
            has_participants=self.has_participants or bool(self.participants),
        )

    def forget_canonical(self) -> None:
        """Contacts merged: the canonical ids are rebuilt on the next view."""
        self._canonical = None

    def add_participant(self, contact_id: str) -> None:
        """``contact_id`` is canonical (a resolved sender)."""
        self.participants.add(contact_id)
        self.has_participants = True
        if self._canonical is not None:
            self._canonical.add(contact_id)


@dataclass
class MessageState:
    message_id: str
    thread_id: str
    text: str
    edited: bool = False
    deleted: bool = False
    reactions: dict[str, list[str]] = field(default_factory=dict)  # emoji -> reactors
    status: str | None = None
    reply_id: str | None = None  # set on outbound messages (agent replies)
    status_detail: str | None = None  # why it failed: provider error, reason, DSN diagnostic
    history: list[dict[str, Any]] = field(default_factory=list)  # earlier texts, oldest first


@dataclass
class WorkingSet:
    """Everything one tenant's batch may read; mutated as the batch is decided, in order."""

    tenant: str
    identities: dict[IdentityKey, list[KnownIdentity]] = field(default_factory=dict)
    canonical: dict[str, str] = field(default_factory=dict)  # contact id -> canonical id
    threads: dict[str, ThreadRow] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)  # "mid:..", "tok:..", "pt:..", "grp:.."
    messages: dict[MsgKey, MessageState] = field(default_factory=dict)
    held: dict[MsgKey, list[InboundEvent]] = field(default_factory=dict)
    # contact pairs (smaller id first) already suggested, accepted or dismissed: never again
    suggested: set[tuple[str, str]] = field(default_factory=set)
    dismissed: set[tuple[str, str]] = field(default_factory=set)  # of those, dismissed pairs
    # linking identities of exclusive kinds (domain.bridging) per canonical contact, for the
    # contacts whose are known: loaded when a message matched several, and the batch's new ones
    exclusive: dict[str, set[IdentityKey]] = field(default_factory=dict)
    calls: dict[str, CallRecord] = field(default_factory=dict)  # call id -> record so far
    # the batch's language guesses by inbound event id (service.language; triage_plan uses them)
    languages: dict[str, LanguageGuess] = field(default_factory=dict)

    _context: ThreadContext | None = field(default=None, repr=False, compare=False)

    def context(self) -> ThreadContext:
        """Live read-only views over the tables above (built once: they follow mutations)."""
        if self._context is None:
            self._context = ThreadContext(
                by_message_id=_Prefixed(self.keys, "mid:"),
                by_reply_token=_Prefixed(self.keys, "tok:"),
                by_provider_thread=_Prefixed(self.keys, "pt:"),
                by_group=_Prefixed(self.keys, "grp:"),
                threads=_Views(self.threads, self.canonical),
            )
        return self._context


@dataclass
class NewIdentity:
    contact_id: str
    kind: str
    value: str
    level: str
    verified: bool  # level in LINKING_LEVELS
    source: str
    channel_kind: str
    account_id: str
    handle: str
    link_event_id: str  # evidence: the message that carried it, the rule and why
    rule: str
    evidence: str


@dataclass(frozen=True)
class NewClaim:
    """A new contact's claim on an identifier nobody held (``domain.claims``): the store's
    unique key on (kind, value, claim class) lets one of two concurrent creators win."""

    kind: str
    value: str
    claim_class: str
    contact_id: str


@dataclass
class NewSuggestion:
    suggestion_id: str
    contact_id: str  # the pair, smaller id first
    suggested_contact_id: str
    evidence: str
    kind: str | None
    value: str | None
    level: str | None
    source_event_id: str
    rule: str


@dataclass
class NewMessage:
    event_id: str
    thread_id: str
    contact_id: str
    channel_kind: str
    account_id: str
    provider_message_id: str
    sender_handle: str
    role: str
    at: datetime
    text: str
    rule: str
    evidence: str
    rule_version: str
    payload: bytes  # the inbound event as received (for the thread view and rethread)
    resolved_contact_id: str | None = None  # the pre-merge contact matched, if not contact_id
    sender_name: str | None = None  # the channel's display name, cleaned (names.clean_name)
    language: str | None = None  # ISO 639-1 when triage was confident (domain.triage)
    triage: list[TriageRecord] = field(default_factory=list)  # its results, as recorded


@dataclass
class NewMerge:
    """A contact merged into another by a message's proof (``identity.verified_merge``)."""

    merged: str
    into: str
    source_event_id: str
    evidence: str
    rule_version: str
    members: frozenset[str] = frozenset()  # the merged contact and those merged into it before
    thread_id: str | None = None  # merge the merged contact's open threads into this one


@dataclass
class Plan:
    """What the store writes in one transaction (besides the consumed offsets)."""

    contacts: list[str] = field(default_factory=list)
    claims: list[NewClaim] = field(default_factory=list)  # written first: a lost race retries
    identities: list[NewIdentity] = field(default_factory=list)
    suggestions: list[NewSuggestion] = field(default_factory=list)
    merges: list[NewMerge] = field(default_factory=list)  # applied after the rows below
    new_threads: set[str] = field(default_factory=set)
    touched_threads: set[str] = field(default_factory=set)
    woken: set[str] = field(default_factory=set)  # snoozed threads a customer message woke
    new_participants: set[tuple[str, str]] = field(default_factory=set)
    messages: list[NewMessage] = field(default_factory=list)
    updated_messages: set[MsgKey] = field(default_factory=set)
    keys: dict[str, str] = field(default_factory=dict)
    held_add: list[tuple[MsgKey, InboundEvent]] = field(default_factory=list)
    held_done: set[MsgKey] = field(default_factory=set)
    outbox: list[UnifiedEvent] = field(default_factory=list)
    duplicates: int = 0
    calls: set[str] = field(default_factory=set)  # call ids whose record changed
    # thread id -> (a callback due at, a callback done at): the store keeps the latest of each
    callbacks: dict[str, tuple[datetime | None, datetime | None]] = field(default_factory=dict)


class _Prefixed(Mapping[str, str]):
    """A read-only view of the key table under one prefix (no copying)."""

    def __init__(self, table: dict[str, str], prefix: str) -> None:
        self.table, self.prefix = table, prefix

    def __getitem__(self, key: str) -> str:
        return self.table[self.prefix + key]

    def __iter__(self) -> Iterator[str]:
        n = len(self.prefix)
        return (k[n:] for k in self.table if k.startswith(self.prefix))

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _Views(Mapping[str, ThreadView]):
    """Thread rows seen through the canonical contact ids. It holds the two tables, not the
    working set: a reference back would make a cycle, and the whole working set (thousands of
    rows a batch) would then wait for the garbage collector instead of being freed at once."""

    def __init__(self, threads: dict[str, ThreadRow], canonical: dict[str, str]) -> None:
        self.threads, self.canonical = threads, canonical

    def __getitem__(self, key: str) -> ThreadView:
        return self.threads[key].view(self.canonical)

    def __iter__(self) -> Iterator[str]:
        return iter(self.threads)

    def __len__(self) -> int:
        return len(self.threads)
