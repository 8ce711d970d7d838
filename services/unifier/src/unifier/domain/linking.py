"""What a sender's resolution writes: identities with their evidence, suggestions, contact events.

Every identity recorded on a contact carries its level and the evidence of the link (the
message, the rule, why), and is a ``contact.linked.v1``. A suggestion is stored once per pair
of contacts (``contact.suggested.v1``); a pair already suggested, accepted or dismissed is
never suggested again, also by later messages (the store loads the batch's pairs).
"""

from __future__ import annotations

from hotline import events as ev
from hotline import unified as un
from unifier.domain.bridging import EXCLUSIVE_KINDS
from unifier.domain.identity import KnownIdentity, Resolution, Suggestion, key_of
from unifier.domain.records import at, info
from unifier.domain.working import NewIdentity, NewSuggestion, Plan, WorkingSet


def suggestion_id(tenant: str, a: str, b: str) -> str:
    lo, hi = sorted((a, b))
    return un.unified_event_id(tenant, "suggestion", lo, hi)


def attach(
    ws: WorkingSet, plan: Plan, event: ev.MessageReceived, contact: str, res: Resolution
) -> None:
    why = info(res.decision)
    for ident in res.attach:
        level = ident.trust()
        ws.identities.setdefault(key_of(ident), []).append(KnownIdentity(contact, level))
        if ident.kind in EXCLUSIVE_KINDS and level in ev.LINKING_LEVELS and contact in ws.exclusive:
            ws.exclusive[contact].add(key_of(ident))
        plan.identities.append(
            NewIdentity(
                contact,
                ident.kind,
                ident.value,
                level,
                level in ev.LINKING_LEVELS,
                ident.source,
                event.channel.kind,
                event.channel.account_id,
                event.sender.handle,
                event.event_id,
                why.rule,
                why.evidence,
            )
        )
        eid = un.unified_event_id(ws.tenant, event.event_id, "linked", ident.kind, ident.value)
        plan.outbox.append(
            un.ContactLinked(
                event_id=eid,
                tenant=ws.tenant,
                occurred_at=at(event),
                contact_id=contact,
                identity=ident,
                channel=event.channel,
                decision=why,
                source_event_id=event.event_id,
            )
        )


def suggest(
    ws: WorkingSet,
    plan: Plan,
    event: ev.MessageReceived,
    contact: str,
    res: Resolution,
) -> None:
    for s in res.suggestions:
        pair = (contact, s.contact_id) if contact < s.contact_id else (s.contact_id, contact)
        if pair in ws.suggested:
            continue
        ws.suggested.add(pair)
        _suggest_pair(ws, plan, event, contact, s, pair, res)


def _suggest_pair(
    ws: WorkingSet,
    plan: Plan,
    event: ev.MessageReceived,
    contact: str,
    s: Suggestion,
    pair: tuple[str, str],
    res: Resolution,
) -> None:
    sid = suggestion_id(ws.tenant, *pair)
    i = s.identity
    plan.suggestions.append(
        NewSuggestion(
            sid,
            pair[0],
            pair[1],
            s.evidence,
            i.kind if i else None,
            i.value if i else None,
            i.trust() if i else None,
            event.event_id,
            res.decision.rule,
        )
    )
    plan.outbox.append(
        un.ContactSuggested(
            event_id=un.unified_event_id(ws.tenant, event.event_id, "suggested", s.contact_id),
            tenant=ws.tenant,
            occurred_at=at(event),
            contact_id=contact,
            suggested_contact_id=s.contact_id,
            suggestion_id=sid,
            identity=i,
            source_event_id=event.event_id,
            decision=un.DecisionInfo(
                rule=res.decision.rule, evidence=s.evidence, rule_version=res.decision.version
            ),
        )
    )
