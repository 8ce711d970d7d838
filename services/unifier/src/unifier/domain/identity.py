"""Identity resolution: which contact a sender is, linking automatically only on proof.

An identifier links by its verification level (``Identifier.trust()``), never by ``verified``
alone. Only the levels in ``hotline.events.LINKING_LEVELS`` (provider_verified, site_signed,
dmarc_aligned, agent_confirmed) link, and only to an identity of one normalised value that is
itself at a linking level, whatever channel either came from (the widget's site-signed email =
the mail sender's DMARC-aligned address = a trusted workspace's Slack profile email):

* A linking identifier matching exactly one contact's linking identity links to it.
* Linking identifiers pointing at different contacts prove they are one person: all merge into
  the first (channel-primary) identifier's contact (``identity.verified_merge``) unless an
  exclusive identifier, a dismissed pair or missing knowledge speaks against it
  (``domain.bridging``; chatwoot#4728); then nothing merges, the message goes to the first
  contact and the rest are suggestions (``identity.verified_conflict``).
* The same address at the same level is the same contact (a visitor writing again, chatwoot#258).
* A carrier-asserted phone (an SMS From) and the same phone at a linking level belong together
  (``identity.carrier_match``): the carrier delivers our replies to the number's real owner, so
  a spoofed From can add a message to that person's conversation but never read it. Two
  carrier-asserted phones are the same address; a carrier-asserted phone never links anything
  else (an email, an unverified claim).
* Any other match (unverified, or an unverified identifier equal to someone's verified one: a
  spoofed From, zammad#4895) is only a suggestion for an agent.
* Display names are never identifiers: the same name alone links nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from hotline.events import LINKING_LEVELS, Identifier
from unifier.domain.bridging import (
    Exclusive,
    bridge_evidence,
    carrier_only,
    fmt,
    obstacle,
    own_clash,
    unrecorded,
)
from unifier.domain.rules import Decision

IdentityKey = tuple[str, str]  # (identifier kind, normalised value)
CARRIER = "carrier_asserted"


@dataclass(frozen=True)
class KnownIdentity:
    contact_id: str  # the canonical contact (merges already followed)
    level: str  # the verification level it was recorded at
    owner: str = ""  # the contact it is recorded on (before merges); "" = contact_id

    @property
    def links(self) -> bool:
        return self.level in LINKING_LEVELS

    @property
    def holder(self) -> str:
        return self.owner or self.contact_id


@dataclass(frozen=True)
class Suggestion:
    contact_id: str
    evidence: str
    identity: Identifier | None = None  # the incoming identifier that matched


@dataclass(frozen=True)
class Resolution:
    contact_id: str | None  # None: a new contact must be created
    decision: Decision
    suggestions: tuple[Suggestion, ...] = ()
    attach: tuple[Identifier, ...] = field(default=())  # identities to record on the contact
    via: str | None = None  # the (pre-merge) contact whose identity matched
    merged: tuple[str, ...] = ()  # contacts the message proves are contact_id: merge them


def key_of(identifier: Identifier) -> IdentityKey:
    return (identifier.kind, identifier.value)


def resolve(
    incoming: Sequence[Identifier],
    known: Mapping[IdentityKey, Sequence[KnownIdentity]],
    version: str,
    *,
    exclusive: Exclusive | None = None,
    dismissed: Collection[tuple[str, str]] = (),
) -> Resolution:
    """``exclusive``: the linking identities of exclusive kinds per canonical contact, for those
    whose are known; ``dismissed``: contact pairs (smaller id first) an agent said differ."""
    linked = _linking_matches(incoming, known)
    if linked:
        return _from_linking(incoming, known, linked, version, (exclusive, dismissed))
    same = _same_address(incoming, known)
    suggestions = _suggestions(incoming, known, exclude=same[0].contact_id if same else None)
    if same:
        k, ident = same
        decision = Decision("identity.same_address", f"{fmt(ident)} seen before", version)
        attach = _missing(incoming, known, k.contact_id)
        return Resolution(k.contact_id, decision, suggestions, attach, k.holder)
    rule = "identity.unverified_suggestion" if suggestions else "identity.new_contact"
    evidence = "; ".join(s.evidence for s in suggestions) or _new_evidence(incoming)
    return Resolution(None, Decision(rule, evidence, version), suggestions, tuple(incoming))


def _linking_matches(
    incoming: Sequence[Identifier], known: Mapping[IdentityKey, Sequence[KnownIdentity]]
) -> list[tuple[Identifier, KnownIdentity]]:
    out = []
    for ident in incoming:
        level = ident.trust()
        if level in LINKING_LEVELS or (level == CARRIER and ident.kind == "phone"):
            for k in known.get((ident.kind, ident.value), ()):
                if _pair_links(level, k.level):
                    out.append((ident, k))
    return out


def _pair_links(incoming: str, known: str) -> bool:
    """Two levels of one value that link: both linking, or a phone's carrier level and a
    linking one (the caller checks the kind)."""
    if incoming in LINKING_LEVELS:
        return known in LINKING_LEVELS or known == CARRIER
    return incoming == CARRIER and known in LINKING_LEVELS


def _rule(ident: Identifier, known: KnownIdentity) -> str:
    carrier = CARRIER in (ident.trust(), known.level)
    return "identity.carrier_match" if carrier else "identity.verified_match"


def _from_linking(
    incoming: Sequence[Identifier],
    known: Mapping[IdentityKey, Sequence[KnownIdentity]],
    matches: list[tuple[Identifier, KnownIdentity]],
    version: str,
    facts: tuple[Exclusive | None, Collection[tuple[str, str]]],
) -> Resolution:
    chosen_ident, chosen_known = matches[0]
    chosen = chosen_known.contact_id
    others = {k.contact_id: i for i, k in matches if k.contact_id != chosen}
    evidence = f"{fmt(chosen_ident)} matches the {chosen_known.level} identity of contact {chosen}"
    if not others:
        clash = own_clash(chosen, incoming, facts[0])
        if clash:
            return _apart(incoming, known, chosen, f"{evidence}; not linked: {clash}", version)
        attach = _missing(incoming, known, chosen)
        decision = Decision(_rule(chosen_ident, chosen_known), evidence, version)
        return Resolution(chosen, decision, (), attach, chosen_known.holder)
    group = (chosen, *others)
    why_not = carrier_only(matches, others) or obstacle(group, incoming, *facts)
    if why_not is None:
        return _bridged(incoming, known, matches, group, version)
    suggestions = tuple(
        Suggestion(c, f"{fmt(i)} belongs to contact {c}", i) for c, i in others.items()
    )
    conflict = f"{evidence}; conflicting: " + "; ".join(s.evidence for s in suggestions)
    conflict += f"; not merged: {why_not}"
    claimed = {key_of(i) for i in others.values()}
    attach = tuple(i for i in _missing(incoming, known, chosen) if key_of(i) not in claimed)
    decision = Decision("identity.verified_conflict", conflict, version)
    return Resolution(chosen, decision, suggestions, attach, chosen_known.holder)


def _bridged(
    incoming: Sequence[Identifier],
    known: Mapping[IdentityKey, Sequence[KnownIdentity]],
    matches: list[tuple[Identifier, KnownIdentity]],
    group: tuple[str, ...],
    version: str,
) -> Resolution:
    decision = Decision("identity.verified_merge", bridge_evidence(matches, group), version)
    attach = unrecorded(incoming, known, set(group))
    return Resolution(group[0], decision, (), attach, matches[0][1].holder, merged=group[1:])


def _apart(
    incoming: Sequence[Identifier],
    known: Mapping[IdentityKey, Sequence[KnownIdentity]],
    contact: str,
    evidence: str,
    version: str,
) -> Resolution:
    """The message's exclusive identifier says it is someone else than the contact its other
    identifiers match: a new contact, suggested to that one."""
    ident = next(
        i for i in incoming if any(k.contact_id == contact for k in known.get(key_of(i), ()))
    )
    attach = tuple(  # an identity recorded at this level belongs to that contact
        i for i in incoming if not any(k.level == i.trust() for k in known.get(key_of(i), ()))
    )
    decision = Decision("identity.verified_conflict", evidence, version)
    return Resolution(None, decision, (Suggestion(contact, evidence, ident),), attach)


def _same_address(
    incoming: Sequence[Identifier], known: Mapping[IdentityKey, Sequence[KnownIdentity]]
) -> tuple[KnownIdentity, Identifier] | None:
    for ident in incoming:
        level = ident.trust()
        for k in known.get(key_of(ident), ()):
            if k.level == level:
                return k, ident
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
                why = (
                    f"{fmt(ident)} matches the {k.level} identity of contact {k.contact_id}"
                    " without proof"
                )
                seen[k.contact_id] = Suggestion(k.contact_id, why, ident)
    return tuple(seen.values())


def _missing(
    incoming: Sequence[Identifier],
    known: Mapping[IdentityKey, Sequence[KnownIdentity]],
    contact_id: str,
) -> tuple[Identifier, ...]:
    """Identifiers not yet recorded on this contact at this level (all of a message's linking
    identifiers are attached, so a later message matching any one of them links)."""
    out = []
    for i in incoming:  # plain loops: this runs for every message
        level = i.trust()
        for k in known.get((i.kind, i.value), ()):
            if k.contact_id == contact_id and k.level == level:
                break
        else:
            out.append(i)
    return tuple(out)


def _new_evidence(incoming: Sequence[Identifier]) -> str:
    if not incoming:
        return "no identifiers"
    return "no known identity for " + ", ".join(fmt(i) for i in incoming)
