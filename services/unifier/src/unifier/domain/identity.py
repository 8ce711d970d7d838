"""Identity resolution: which contact a sender is, linking automatically only on verified proof.

* A verified identifier matching exactly one contact's verified identity links to it.
* Verified identifiers pointing at different contacts never merge them (chatwoot#4728): the
  message goes to the contact of the first (channel-primary) identifier; the rest are suggestions.
* The same address at the same trust level is the same contact (a visitor writing again).
* An unverified identifier matching someone else's verified identity is only a suggestion
  (chatwoot#10798 the other way round: no spoofed From joins a real customer's history).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from hotline.events import Identifier
from unifier.domain.rules import Decision

IdentityKey = tuple[str, str]  # (identifier kind, normalised value)


@dataclass(frozen=True)
class KnownIdentity:
    contact_id: str  # the canonical contact (merges already followed)
    verified: bool


@dataclass(frozen=True)
class Suggestion:
    contact_id: str
    evidence: str


@dataclass(frozen=True)
class Resolution:
    contact_id: str | None  # None: a new contact must be created
    decision: Decision
    suggestions: tuple[Suggestion, ...] = ()
    attach: tuple[Identifier, ...] = field(default=())  # identities to record on the contact


def key_of(identifier: Identifier) -> IdentityKey:
    return (identifier.kind, identifier.value)


def resolve(
    incoming: Sequence[Identifier],
    known: Mapping[IdentityKey, Sequence[KnownIdentity]],
    version: str,
) -> Resolution:
    verified = _verified_matches(incoming, known)
    if verified:
        return _from_verified(incoming, known, verified, version)
    same = _same_address(incoming, known)
    suggestions = _suggestions(incoming, known, exclude=same[0] if same else None)
    if same:
        contact_id, ident = same
        decision = Decision("identity.same_address", f"{_fmt(ident)} seen before", version)
        return Resolution(contact_id, decision, suggestions, _missing(incoming, known, contact_id))
    rule = "identity.unverified_suggestion" if suggestions else "identity.new_contact"
    evidence = "; ".join(s.evidence for s in suggestions) or _new_evidence(incoming)
    return Resolution(None, Decision(rule, evidence, version), suggestions, tuple(incoming))


def _verified_matches(
    incoming: Sequence[Identifier], known: Mapping[IdentityKey, Sequence[KnownIdentity]]
) -> list[tuple[Identifier, str]]:
    out = []
    for ident in incoming:
        if ident.verified:
            for k in known.get((ident.kind, ident.value), ()):
                if k.verified:
                    out.append((ident, k.contact_id))
    return out


def _from_verified(
    incoming: Sequence[Identifier],
    known: Mapping[IdentityKey, Sequence[KnownIdentity]],
    matches: list[tuple[Identifier, str]],
    version: str,
) -> Resolution:
    chosen_ident, chosen = matches[0]
    others = {c: i for i, c in matches if c != chosen}
    evidence = f"{_fmt(chosen_ident)} matches a verified identity of contact {chosen}"
    if not others:
        attach = _missing(incoming, known, chosen)
        return Resolution(
            chosen, Decision("identity.verified_match", evidence, version), (), attach
        )
    suggestions = tuple(
        Suggestion(c, f"{_fmt(i)} belongs to contact {c}") for c, i in others.items()
    )
    conflict = f"{evidence}; conflicting: " + "; ".join(s.evidence for s in suggestions)
    claimed = {key_of(i) for i in others.values()}
    attach = tuple(i for i in _missing(incoming, known, chosen) if key_of(i) not in claimed)
    return Resolution(
        chosen, Decision("identity.verified_conflict", conflict, version), suggestions, attach
    )


def _same_address(
    incoming: Sequence[Identifier], known: Mapping[IdentityKey, Sequence[KnownIdentity]]
) -> tuple[str, Identifier] | None:
    for ident in incoming:
        for k in known.get(key_of(ident), ()):
            if k.verified == ident.verified:
                return k.contact_id, ident
    return None


def _suggestions(
    incoming: Sequence[Identifier],
    known: Mapping[IdentityKey, Sequence[KnownIdentity]],
    exclude: str | None,
) -> tuple[Suggestion, ...]:
    seen: dict[str, Suggestion] = {}
    for ident in incoming:
        for k in known.get(key_of(ident), ()):
            if k.contact_id != exclude and k.contact_id not in seen:
                why = f"{_fmt(ident)} matches contact {k.contact_id} without proof"
                seen[k.contact_id] = Suggestion(k.contact_id, why)
    return tuple(seen.values())


def _missing(
    incoming: Sequence[Identifier],
    known: Mapping[IdentityKey, Sequence[KnownIdentity]],
    contact_id: str,
) -> tuple[Identifier, ...]:
    """Identifiers not yet recorded on this contact at this trust level."""
    out = []
    for i in incoming:  # plain loops: this runs for every message
        for k in known.get((i.kind, i.value), ()):
            if k.contact_id == contact_id and k.verified == i.verified:
                break
        else:
            out.append(i)
    return tuple(out)


def _fmt(ident: Identifier) -> str:
    state = "verified" if ident.verified else "unverified"
    return f"{ident.kind} {ident.value} ({state}, {ident.source})"


def _new_evidence(incoming: Sequence[Identifier]) -> str:
    if not incoming:
        return "no identifiers"
    return "no known identity for " + ", ".join(_fmt(i) for i in incoming)
