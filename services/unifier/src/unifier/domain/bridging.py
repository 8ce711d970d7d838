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

from hotline.events import LINKING_LEVELS, Identifier

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
