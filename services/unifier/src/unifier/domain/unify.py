"""Decide a batch of inbound events against a working set, in order: identity, then thread.

Pure and deterministic: ids derive from event ids, so a replayed batch decides the same way.
The result is a Plan the store writes in one transaction together with the consumed offsets.
"""

from __future__ import annotations

from collections.abc import Sequence

from hotline import events as ev
from hotline import unified as un
from unifier.domain.call_unify import call
from unifier.domain.content import text_of
from unifier.domain.effects import apply_effect
from unifier.domain.exchange import (
    bounce_decision,
    bounced_reply,
    effect,
    effect_events,
    fail_bounced,
)
from unifier.domain.placing import (
    ID_NAMESPACE,
    contact_of,
    derived_id,
    facts_of,
    new_row_id,
    reply_token,
    settle,
)
from unifier.domain.records import added, new_message
from unifier.domain.rules import RuleSet
from unifier.domain.threading import ThreadDecision, decide
from unifier.domain.triage import message_language, thread_language
from unifier.domain.working import MessageState, Plan, UnifierInbound, WorkingSet

# placing's ids, where callers have always found them
__all__ = ["ID_NAMESPACE", "derived_id", "new_row_id", "reply_token", "unify"]


def unify(ws: WorkingSet, items: Sequence[tuple[UnifierInbound, bytes]], rules: RuleSet) -> Plan:
    plan = Plan()
    for event, raw in items:
        if isinstance(event, ev.MessageReceived):
            _message(ws, plan, rules, event, raw)
        elif isinstance(event, ev.CallEnvelope):
            call(ws, plan, rules, event, raw)
        else:
            effect(ws, plan, event)
    return plan


def _message(
    ws: WorkingSet, plan: Plan, rules: RuleSet, event: ev.MessageReceived, raw: bytes
) -> None:
    key = (event.channel.kind, event.provider_message_id)
    if key in ws.messages:  # a provider retry: the same message again
        plan.duplicates += 1
        return
    merges = len(plan.merges)
    contact, resolved = contact_of(ws, plan, rules, event)
    facts = facts_of(event, contact)
    bounced = bounced_reply(ws.messages, event)
    if bounced and bounced[1].thread_id in ws.threads:  # a DSN of our reply: its thread
        td = bounce_decision(*bounced, rules.version)
    else:
        td = decide(rules, facts, ws.context())
    tid = settle(ws, plan, rules, event, (facts, td, merges))
    _store(ws, plan, event, (key, tid, contact, resolved), td, raw)
    if bounced:
        fail_bounced(ws, plan, event, bounced)


def _store(
    ws: WorkingSet,
    plan: Plan,
    event: ev.MessageReceived,
    where: tuple[tuple[str, str], str, str, str | None],
    td: ThreadDecision,
    raw: bytes,
) -> None:
    """The message row and its events, with the effects that arrived before it applied.
    ``where``: its key, thread, contact and the pre-merge contact it resolved through."""
    key, tid, contact, resolved = where
    state = ws.messages[key] = MessageState(event.event_id, tid, text_of(event.content))
    later: list[un.UnifiedEvent] = []
    for held in ws.held.pop(key, []):
        later += effect_events(ws.tenant, state, held, apply_effect(state, held))
        plan.held_done.add(key)
    guess = ws.languages.get(event.event_id)
    language = message_language(guess)
    if thread_lang := thread_language(event.sender.role, guess):
        ws.threads[tid].language = thread_lang
    plan.messages.append(
        new_message(event, tid, contact, td.decision, raw=raw, resolved=resolved, language=language)
    )
    plan.outbox.append(added(ws.tenant, event, tid, contact, td.decision, language))
    plan.outbox += later
