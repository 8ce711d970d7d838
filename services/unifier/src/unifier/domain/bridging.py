"""Bridging merges: when may one message's verified identifiers join several contacts.

A message whose linking identifiers match linking identities of several contacts proves they
are one person (a site-signed widget identity carrying both the email of one contact and the
phone of another). It merges them (``identity.verified_merge``) unless something says they are
different people; then nothing merges and the others are suggestions
(``identity.verified_conflict``):

* an *exclusive* identifier kind — one a person has exactly one of per namespace — holds two
  values among the contacts and the message (widget users ``shop:42`` and ``shop:43`` sharing
  an email are two users of that site, chatwoot#4728). Emails and phones are not exclusive;
* an agent dismissed a pair of them as different people;
* a contact's exclusive identities are not known (the store loads them only for messages it
  sees matching several contacts): without that proof, nothing merges.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from itertools import combinations
from typing import TYPE_CHECKING

from hotline.events import LINKING_LEVELS, Identifier

if TYPE_CHECKING:  # identity builds on this module
    from unifier.domain.identity import KnownIdentity

Match = tuple[Identifier, "KnownIdentity"]

# one per person and namespace: a site's users, a Slack team's users, provider ids
EXCLUSIVE_KINDS = frozenset({"widget_user", "slack_user", "telegram_id", "x_id", "psid", "ig_id"})
Slot = tuple[str, str]  # (kind, namespace)
Exclusive = Mapping[str, Collection[tuple[str, str]]]  # canonical contact -> (kind, value)


def exclusive_slot(kind: str, value: str) -> Slot | None:
    """The namespace a value is unique in: the prefix before ':' (a widget site, a Slack team,
    a page account) when it carries one, else the kind itself."""
    if kind not in EXCLUSIVE_KINDS:
        return None
    return (kind, value.split(":", 1)[0] if ":" in value else "")


def obstacle(
    group: Sequence[str],
    incoming: Sequence[Identifier],
    exclusive: Exclusive | None,
    dismissed: Collection[tuple[str, str]],
) -> str | None:
    """Why the contacts of ``group`` must not merge, or None when nothing speaks against it."""
    unknown = [c for c in group if exclusive is None or c not in exclusive]
    if unknown:
        return f"the exclusive identities of contact {unknown[0]} are not known"
    assert exclusive is not None
    for a, b in combinations(sorted(group), 2):
        if (a, b) in dismissed:
            return f"an agent dismissed contacts {a} and {b} as different people"
    return _clash(group, incoming, exclusive)


def own_clash(
    contact: str, incoming: Sequence[Identifier], exclusive: Exclusive | None
) -> str | None:
    """Why the message is not the one contact its identifiers match: an exclusive identifier
    of it differs from the contact's (only when the contact's are known)."""
    if exclusive is None or contact not in exclusive:
        return None
    return _clash((contact,), incoming, exclusive)


def _clash(
    group: Sequence[str], incoming: Sequence[Identifier], exclusive: Exclusive
) -> str | None:
    own = [(i.kind, i.value) for i in incoming if i.trust() in LINKING_LEVELS]
    sources = [("the message", own)] + [(f"contact {c}", sorted(exclusive[c])) for c in group]
    held: dict[Slot, tuple[str, str]] = {}
    for who, keys in sources:
        for kind, value in keys:
            slot = exclusive_slot(kind, value)
            if slot is None:
                continue
            first, by = held.setdefault(slot, (value, who))
            if first != value:
                return f"{kind} {first} of {by} differs from {value} of {who}"
    return None


def carrier_only(matches: Sequence[Match], others: Collection[str]) -> str | None:
    """A merge needs a linking-level identifier of the message on each contact: a carrier-
    asserted phone says who receives replies, not that two records are one person."""
    proven = {k.contact_id for i, k in matches if i.trust() in LINKING_LEVELS}
    lacking = [c for c in others if c not in proven]
    return f"contact {lacking[0]} matched only a carrier-asserted phone" if lacking else None


def bridge_evidence(matches: Sequence[Match], group: Sequence[str]) -> str:
    proof = "; ".join(
        f"{fmt(i)} matches the {k.level} identity of contact {k.contact_id}" for i, k in matches
    )
    return f"one message proves contacts {', '.join(group)} are one person: {proof}"


def unrecorded(
    incoming: Sequence[Identifier],
    known: Mapping[tuple[str, str], Sequence[KnownIdentity]],
    members: Collection[str],
) -> tuple[Identifier, ...]:
    """The identifiers not yet recorded at their level on any of the merging contacts."""
    return tuple(
        i
        for i in incoming
        if not any(
            k.contact_id in members and k.level == i.trust()
            for k in known.get((i.kind, i.value), ())
        )
    )


def fmt(ident: Identifier) -> str:
    return f"{ident.kind} {ident.value} ({ident.trust()}, {ident.source})"
