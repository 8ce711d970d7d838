"""Threading: which thread a message joins, and why. Never by subject.

Email: In-Reply-To, then References (newest first), then our reply token; a reply from a
non-participant starts a new thread (zammad#5064); auto-replies and bounces attach without
reopening. Chat/social: the provider's thread/conversation id under the channel's policy.
Otherwise the tenant's grouping mode: by contact (within a window), by address, by address+kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from hotline.events import Flags, ThreadHints
from unifier.domain.rules import ChannelPolicy, Decision, RuleSet

Action = Literal["attach", "reopen", "new"]


@dataclass(frozen=True)
class ThreadView:
    thread_id: str
    open: bool
    last_message_at: datetime
    # canonical ids of customers who wrote in it; may hold only the ones being decided about
    # (a store loads those), so "did anyone write here" is has_participants
    participants: AbstractSet[str]
    closed_at: datetime | None = None
    has_participants: bool = False


@dataclass(frozen=True)
class MessageFacts:
    channel_kind: str
    account_id: str
    contact_id: str  # canonical
    address: str  # the sender's channel address (handle)
    at: datetime
    hints: ThreadHints
    flags: Flags


@dataclass(frozen=True)
class ThreadContext:
    by_message_id: Mapping[str, str]  # RFC 5322 Message-ID -> thread id
    by_reply_token: Mapping[str, str]
    by_provider_thread: Mapping[str, str]  # provider_thread_key() -> thread id
    by_group: Mapping[str, str]  # group_key() -> latest thread id
    threads: Mapping[str, ThreadView]


@dataclass(frozen=True)
class ThreadDecision:
    action: Action
    thread_id: str | None  # None when action == "new"
    decision: Decision


def provider_thread_key(kind: str, account: str, hints: ThreadHints) -> str | None:
    ident = hints.chat_thread_id or hints.provider_conversation_id
    return f"{kind}:{account}:{ident}" if ident else None


def group_key(rules: RuleSet, facts: MessageFacts) -> str:
    if rules.grouping == "by_contact":
        return f"contact:{facts.contact_id}"
    if rules.grouping == "by_address":
        return f"address:{facts.address.lower()}"
    return f"address:{facts.channel_kind}:{facts.address.lower()}"


def decide(rules: RuleSet, facts: MessageFacts, ctx: ThreadContext) -> ThreadDecision:
    found = _email(rules, facts, ctx) if facts.channel_kind == "email" else _chat(rules, facts, ctx)
    return found or _group(rules, facts, ctx)


def _email(rules: RuleSet, facts: MessageFacts, ctx: ThreadContext) -> ThreadDecision | None:
    refs = reversed(facts.hints.references) if rules.use_references else ()
    for rule, header, ids in (
        ("email.in_reply_to", "In-Reply-To", facts.hints.in_reply_to),
        ("email.references", "References", refs),
    ):
        for mid, tid in _known(ids, ctx.by_message_id):
            return _email_match(
                rules, facts, ctx, rule=rule, why=f"{header} matched message {mid}", tid=tid
            )
    token = facts.hints.reply_token
    if token and token in ctx.by_reply_token:
        tid = ctx.by_reply_token[token]
        why = f"reply token {token} belongs to thread {tid}"
        return _email_match(rules, facts, ctx, rule="email.reply_token", why=why, tid=tid)
    return None


def _known(ids: Iterable[str], table: Mapping[str, str]) -> Iterable[tuple[str, str]]:
    return ((i, table[i]) for i in ids if i in table)


def _email_match(
    rules: RuleSet, facts: MessageFacts, ctx: ThreadContext, *, rule: str, why: str, tid: str
) -> ThreadDecision:
    thread = ctx.threads[tid]
    kind = _automated(facts.flags)
    if kind is not None:
        evidence = f"{why}; {kind} attaches without reopening"
        return ThreadDecision("attach", tid, Decision("email.auto_reply", evidence, rules.version))
    if thread.has_participants and facts.contact_id not in thread.participants:
        evidence = f"{why}, but contact {facts.contact_id} is not a participant of thread {tid}"
        return ThreadDecision(
            "new", None, Decision("email.non_participant", evidence, rules.version)
        )
    return _apply_policy(
        rules, facts, thread, rule=rule, why=why, window=rules.policy("email").new_after
    )


def _automated(flags: Flags) -> str | None:
    """What kind of machine-sent mail this is (bounce, delay warning, feedback report,
    auto-reply), or None for mail a person wrote."""
    for kind, flagged in (
        ("bounce", flags.bounce),
        ("feedback report", flags.feedback_report),
        ("delay warning", flags.delivery_delayed),
        ("auto-reply", flags.auto_reply),
    ):
        if flagged:
            return kind
    return None


def _chat(rules: RuleSet, facts: MessageFacts, ctx: ThreadContext) -> ThreadDecision | None:
    key = provider_thread_key(facts.channel_kind, facts.account_id, facts.hints)
    if key is None or key not in ctx.by_provider_thread:
        return None
    tid = ctx.by_provider_thread[key]
    why = f"provider thread {key} belongs to thread {tid}"
    window = rules.policy(facts.channel_kind).new_after
    thread = ctx.threads[tid]
    return _apply_policy(rules, facts, thread, rule="chat.provider_thread", why=why, window=window)


def _group(rules: RuleSet, facts: MessageFacts, ctx: ThreadContext) -> ThreadDecision:
    key = group_key(rules, facts)
    rule = f"group.{rules.grouping}"
    tid = ctx.by_group.get(key)
    if tid is None:
        why = f"no thread for {key}"
        return ThreadDecision("new", None, Decision(rule, why, rules.version))
    window = (
        rules.window
        if rules.grouping == "by_contact"
        else rules.policy(facts.channel_kind).new_after
    )
    why = f"latest thread for {key} is {tid}"
    return _apply_policy(rules, facts, ctx.threads[tid], rule=rule, why=why, window=window)


def _apply_policy(
    rules: RuleSet,
    facts: MessageFacts,
    thread: ThreadView,
    *,
    rule: str,
    why: str,
    window: timedelta,
) -> ThreadDecision:
    policy: ChannelPolicy = rules.policy(facts.channel_kind)
    idle = facts.at - (
        thread.last_message_at if thread.open else thread.closed_at or thread.last_message_at
    )
    tid = thread.thread_id
    if idle > window:
        evidence = f"{why}; idle {_days(idle)} > {_days(window)}: new thread"
        return ThreadDecision("new", None, Decision(f"{rule}.expired", evidence, rules.version))
    if thread.open:
        return ThreadDecision("attach", tid, Decision(rule, f"{why}; open", rules.version))
    if policy.on_closed == "reopen":
        evidence = f"{why}; closed {_days(idle)} ago: reopened"
        return ThreadDecision("reopen", tid, Decision(f"{rule}.reopen", evidence, rules.version))
    evidence = f"{why}; closed and the policy starts a new thread"
    return ThreadDecision("new", None, Decision(f"{rule}.closed_new", evidence, rules.version))


def _days(delta: timedelta) -> str:
    return f"{delta.total_seconds() / 86400:.1f} d"
