"""Triage on arrival, the pure part: what text a message is triaged on, and how a language
guess (made by ``service.language``) lands on the message, its thread and its record.

A guess below the detector's confidence threshold is recorded but sets nothing: "ok" or "merci"
say too little to route a conversation by. The thread takes the language of its latest
confident customer message (an agent's reply does not change the customer's language).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hotline import events as ev
from hotline import unified as un
from unifier.domain.triage_rules import RANK, Rule, TriageRules, first_match

if TYPE_CHECKING:  # working imports LanguageGuess from here
    from unifier.domain.working import NewMessage, Plan, WorkingSet

MAX_TRIAGE_CHARS = 1000  # the opening of a long mail says its language as well as all of it


@dataclass(frozen=True)
class LanguageGuess:
    """A detector's best language for one message (ISO 639-1), with its confidence (0..1),
    whether that clears the threshold, the detector's version and why (the runner-up)."""

    language: str
    confidence: float
    confident: bool
    source: str
    evidence: str


def triage_text(content: ev.Content) -> str:
    """The customer's own words: a mail's subject and new part, a caption, a button's title;
    nothing for a location, contacts or an unsupported kind (placeholders are not language)."""
    if isinstance(content, ev.TextContent):
        text = content.text
    elif isinstance(content, ev.EmailContent):
        text = f"{content.subject}\n{content.visible_text or content.text}"
    elif isinstance(content, ev.MediaContent):
        text = content.caption or ""
    elif isinstance(content, ev.InteractiveContent):
        text = content.title
    else:
        text = ""
    return text.strip()[:MAX_TRIAGE_CHARS]


def message_language(guess: LanguageGuess | None) -> str | None:
    return guess.language if guess is not None and guess.confident else None


def thread_language(role: str, guess: LanguageGuess | None) -> str | None:
    """The language a message gives its thread: a customer's confident one, else none."""
    return message_language(guess) if role == "customer" else None


@dataclass(frozen=True)
class Prediction:
    """A tenant's category model's best category for one text."""

    category: str
    confidence: float
    source: str  # "model:<tenant>/v<version>"
    evidence: str


@dataclass(frozen=True)
class TriageRecord:
    """One triage result of one message, as recorded (``store.schema_triage``)."""

    message_id: str
    thread_id: str
    aspect: str  # language | category | priority
    value: str | None
    applied: bool
    source: str
    confidence: float | None
    evidence: str


@dataclass
class TriageInputs:
    """What the batch is triaged with: the tenant's rules, the model's predictions and each
    message's words (by inbound event id), and the batch's VIP contacts."""

    rules: TriageRules = field(default_factory=TriageRules)
    predictions: dict[str, Prediction] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    vips: set[str] = field(default_factory=set)


def triage_plan(ws: WorkingSet, plan: Plan, inputs: TriageInputs) -> None:
    """Give each new message its language (the row, its added event, a customer's thread), and
    a customer's message its category (rules win over the model) and priority; the thread keeps
    its first category (an agent's or triage's) and takes the highest priority of its messages.
    Runs after the batch is decided: detection ran beside the load and the decisions."""
    added = {e.message_id: e for e in plan.outbox if isinstance(e, un.ConversationMessageAdded)}
    for m in plan.messages:
        _language(ws, m, ws.languages.get(m.event_id), added.get(m.event_id))
        if m.role != "customer":
            continue
        category = _category(m, inputs, m.triage)
        priority = _priority(m, inputs, category, m.triage)
        row = ws.threads[m.thread_id]
        row.category = row.category or category
        if row.priority is None or RANK[priority] > RANK[row.priority]:
            row.priority = priority


def _language(
    ws: WorkingSet,
    m: NewMessage,
    guess: LanguageGuess | None,
    event: un.ConversationMessageAdded | None,
) -> None:
    if guess is None:
        return
    m.triage.append(_record(m, "language", guess.language, guess.confident, guess))
    m.language = message_language(guess)
    if event is not None:
        event.language = m.language  # built by unify before the guesses were in
    if language := thread_language(m.role, guess):
        ws.threads[m.thread_id].language = language


def _category(m: NewMessage, inputs: TriageInputs, out: list[TriageRecord]) -> str | None:
    rules, text = inputs.rules, inputs.texts.get(m.event_id, "")
    hit = first_match(rules.category, text, m.channel_kind, None, m.contact_id in inputs.vips)
    if hit is not None:
        rule, why = hit
        out.append(_record(m, "category", rule.value, True, _by_rule(rules, rule, why)))
        return rule.value
    p = inputs.predictions.get(m.event_id)
    if p is None:
        return None
    confident = p.confidence >= rules.model_confidence
    out.append(_record(m, "category", p.category, confident, p))
    return p.category if confident else None


def _priority(
    m: NewMessage, inputs: TriageInputs, category: str | None, out: list[TriageRecord]
) -> str:
    rules, text = inputs.rules, inputs.texts.get(m.event_id, "")
    vip = m.contact_id in inputs.vips
    hit = first_match(rules.priority, text, m.channel_kind, category, vip)
    if hit is None:
        why = _Why(f"default@{rules.version}", None, "no priority rule matched")
        out.append(_record(m, "priority", rules.default_priority, True, why))
        return rules.default_priority
    rule, evidence = hit
    out.append(_record(m, "priority", rule.value, True, _by_rule(rules, rule, evidence)))
    return rule.value


@dataclass(frozen=True)
class _Why:
    source: str
    confidence: float | None
    evidence: str


def _by_rule(rules: TriageRules, rule: Rule, why: str) -> _Why:
    return _Why(f"rule:{rule.id}@{rules.version}", None, why)


def _record(
    m: NewMessage, aspect: str, value: str, applied: bool, why: _Why | LanguageGuess | Prediction
) -> TriageRecord:
    return TriageRecord(
        m.event_id, m.thread_id, aspect, value, applied, why.source, why.confidence, why.evidence
    )
