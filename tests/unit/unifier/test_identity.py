"""Identity rules, table-driven; peer bugs are named cases."""

from __future__ import annotations

import pytest

from hotline import events as ev
from tests.unit.unifier.factory import ident
from unifier.domain.identity import KnownIdentity, resolve

ALICE_EMAIL = ident("email", "alice@example.test")
ALICE_PHONE = ident("phone", "+4915100000001")
BOB_PHONE = ident("phone", "+4915100000002")
KNOWN = {
    ("email", "alice@example.test"): [KnownIdentity("A", True)],
    ("phone", "+4915100000001"): [KnownIdentity("A", True)],
    ("phone", "+4915100000002"): [KnownIdentity("B", True)],
    ("widget_visitor", "v-1"): [KnownIdentity("V", False)],
}

CASES = [
    # name, incoming, expected contact, rule, suggested contacts, attached identities
    (
        "no match: new contact",
        [ident("email", "new@x.test")],
        None,
        "identity.new_contact",
        [],
        ["new@x.test"],
    ),
    (
        "verified email links (chatwoot#10798: no duplicate person)",
        [ALICE_EMAIL],
        "A",
        "identity.verified_match",
        [],
        [],
    ),
    (
        "verified phone from WhatsApp links and records the wa_id (chatwoot#13808)",
        [ident("wa_id", "4915100000001"), ALICE_PHONE],
        "A",
        "identity.verified_match",
        [],
        ["4915100000001"],
    ),
    (
        "unverified From matching a verified email is only a suggestion (zammad#4895)",
        [ident("email", "alice@example.test", verified=False)],
        None,
        "identity.unverified_suggestion",
        ["A"],
        ["alice@example.test"],
    ),
    (
        "conflicting verified identifiers never auto-merge (chatwoot#4728)",
        [BOB_PHONE, ALICE_EMAIL],
        "B",
        "identity.verified_conflict",
        ["A"],
        [],
    ),
    (
        "same widget visitor writing again is the same contact (chatwoot#258)",
        [ident("widget_visitor", "v-1", verified=False)],
        "V",
        "identity.same_address",
        [],
        [],
    ),
    (
        "verified identifier does not join an unverified record: suggestion",
        [ident("widget_visitor", "v-1", verified=True)],
        None,
        "identity.unverified_suggestion",
        ["V"],
        ["v-1"],
    ),
    ("no identifiers at all: new contact", [], None, "identity.new_contact", [], []),
]


@pytest.mark.parametrize(
    ("incoming", "contact", "rule", "suggested", "attached"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_resolve(
    incoming: list[ev.Identifier],
    contact: str | None,
    rule: str,
    suggested: list[str],
    attached: list[str],
) -> None:
    res = resolve(incoming, KNOWN, "1")
    assert res.contact_id == contact
    assert res.decision.rule == rule
    assert res.decision.version == "1"
    assert res.decision.evidence
    assert [s.contact_id for s in res.suggestions] == suggested
    assert [i.value for i in res.attach] == attached


def test_conflict_evidence_names_both_contacts() -> None:
    res = resolve([BOB_PHONE, ALICE_EMAIL], KNOWN, "1")
    assert "contact B" in res.decision.evidence and "contact A" in res.decision.evidence
