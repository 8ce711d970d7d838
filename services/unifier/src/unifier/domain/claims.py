"""What a new contact claims, so that two unifiers creating one person at once end with one.

Two instances may decide messages of one new person at the same time (two partitions: her
email threads, her WhatsApp and her widget). Each loads the store, finds no identity for her
identifier and creates a contact. To end with one contact, each new contact claims every
identifier it is created for that nobody held in its working set: a claim is unique per
(tenant, kind, value, claim class) in the store, so the second transaction to write one fails,
is rolled back and decided again; its load then sees the winner's identity, and the same rules
link the message to that contact (``entrypoints.batch_handler``).

Claim classes group the levels that would have linked to each other had the other one been
seen: every linking level of a value (``LINKING_LEVELS``: a widget's site-signed email and a
mail's DMARC-aligned address are one person), plus a carrier-asserted phone (it links to a
linking phone and to itself). Any other level links only to itself (the same address), so it
is a class of its own: an unverified From never contends with a verified address.

A claim is made only when the working set has no holder of that class for the value, so the
retried decision, which sees one, never claims it again: a retry always makes progress.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hotline.events import LINKING_LEVELS, Identifier
from unifier.domain.identity import CARRIER, IdentityKey, KnownIdentity
from unifier.domain.working import NewClaim

LINKING_CLASS = "linking"


def claim_class(kind: str, level: str) -> str:
    if level in LINKING_LEVELS or (kind == "phone" and level == CARRIER):
        return LINKING_CLASS
    return level


def claims(
    contact: str,
    identifiers: Sequence[Identifier],
    known: Mapping[IdentityKey, Sequence[KnownIdentity]],
) -> list[NewClaim]:
    """The claims of a new ``contact`` created for ``identifiers`` (before they are recorded
    in the working set)."""
    out: dict[tuple[str, str, str], NewClaim] = {}
    for ident in identifiers:
        cls = claim_class(ident.kind, ident.trust())
        held = known.get((ident.kind, ident.value), ())
        if any(claim_class(ident.kind, k.level) == cls for k in held):
            continue
        claim = NewClaim(ident.kind, ident.value, cls, contact)
        out.setdefault((ident.kind, ident.value, cls), claim)
    return list(out.values())
