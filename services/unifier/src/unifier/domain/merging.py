"""What a bridging merge (``identity.verified_merge``) does to the working set and the plan.

The merged contacts point at the survivor at once, so later messages of the batch resolve to
it; the store sets ``contacts.merged_into`` in the same transaction (``store.merges``) and the
merge is a ``contact.merged.v1`` by ``unifier`` with the message's proof. Under by-contact
grouping the merged contacts' open threads join the thread the bridging message landed in:
their grouping keys and the keys the batch knows of their open threads lead there now.
"""

from __future__ import annotations

from hotline import events as ev
from hotline import unified as un
from unifier.domain.identity import KnownIdentity, Resolution
from unifier.domain.records import at
from unifier.domain.working import NewMerge, Plan, WorkingSet

MERGED_BY = "unifier"


def merge(
    ws: WorkingSet, plan: Plan, event: ev.MessageReceived, contact: str, res: Resolution
) -> None:
    evidence = f"{res.decision.evidence}; message {event.event_id}"
    for gone in res.merged:
        members = frozenset(c for c, root in ws.canonical.items() if root == gone) | {gone}
        _repoint(ws, gone, contact)
        plan.merges.append(
            NewMerge(gone, contact, event.event_id, evidence, res.decision.version, members)
        )
        plan.outbox.append(
            un.ContactMerged(
                event_id=un.unified_event_id(ws.tenant, event.event_id, "merged", gone),
                tenant=ws.tenant,
                occurred_at=at(event),
                contact_id=contact,
                merged_contact_id=gone,
                merged_by=MERGED_BY,
                decision=un.DecisionInfo(
                    rule=res.decision.rule, evidence=evidence, rule_version=res.decision.version
                ),
            )
        )


def _repoint(ws: WorkingSet, gone: str, into: str) -> None:
    for cid, root in list(ws.canonical.items()):
        if root == gone:
            ws.canonical[cid] = into
    ws.canonical[gone] = into
    for key, known in ws.identities.items():
        if any(k.contact_id == gone for k in known):
            ws.identities[key] = [_moved(k, gone, into) for k in known]
    if gone in ws.exclusive and into in ws.exclusive:
        ws.exclusive[into] |= ws.exclusive.pop(gone)
    else:  # not known for both: not known for the merged contact
        ws.exclusive.pop(gone, None)
        ws.exclusive.pop(into, None)
    for pairs in (ws.suggested, ws.dismissed):
        for a, b in [p for p in pairs if gone in p]:
            pairs.discard((a, b))
            x, y = sorted(into if c == gone else c for c in (a, b))
            if x != y:
                pairs.add((x, y))
    for row in ws.threads.values():
        row.forget_canonical()


def _moved(k: KnownIdentity, gone: str, into: str) -> KnownIdentity:
    return KnownIdentity(into, k.level, k.holder) if k.contact_id == gone else k


def join_threads(ws: WorkingSet, plan: Plan, merges: list[NewMerge], tid: str) -> None:
    """The merged contacts' open threads continue in ``tid`` (the store moves their messages
    and closes them); their grouping keys lead there."""
    if not ws.threads[tid].open:
        return
    for m in merges:
        m.thread_id = tid
        key = "grp:contact:" + m.merged
        ws.keys[key] = plan.keys[key] = tid
    merged = frozenset().union(*(m.members for m in merges))
    old = {r.thread_id for r in ws.threads.values() if r.open and r.contact_id in merged} - {tid}
    for key, thread in ws.keys.items():
        if thread in old:
            ws.keys[key] = tid
