"""Identity (linking) rules by verification level, as a table; peer bugs are named cases."""

from __future__ import annotations

import pytest

from hotline import events as ev
from tests.unit.unifier.factory import ident
from unifier.domain.identity import KnownIdentity, resolve

ALICE_EMAIL = ident("email", "alice@example.test", level="dmarc_aligned")
ALICE_PHONE = ident("phone", "+4915100000001", level="provider_verified")
BOB_PHONE = ident("phone", "+4915100000002", level="provider_verified")
KNOWN = {
    ("email", "alice@example.test"): [KnownIdentity("A", "dmarc_aligned")],
    ("phone", "+4915100000001"): [KnownIdentity("A", "provider_verified")],
    ("phone", "+4915100000002"): [KnownIdentity("B", "provider_verified")],
    ("widget_visitor", "v-1"): [KnownIdentity("V", "unverified")],
    ("phone", "+4915100000003"): [KnownIdentity("S", "carrier_asserted")],  # an SMS-only person
    ("email", "carol@example.test"): [KnownIdentity("C", "unverified")],
    ("phone", "+4915100000005"): [KnownIdentity("D", "agent_confirmed")],
    # recorded on M0, which an agent merged into M
    ("phone", "+4915100000004"): [KnownIdentity("M", "provider_verified", "M0")],
}

CASES = [
    # name, incoming, expected contact, rule, suggested contacts, attached values, resolved via
    ("no match: new contact", [ident("email", "new@x.test")], None,
     "identity.new_contact", [], ["new@x.test"], None),
    ("verified email links (chatwoot#10798: no duplicate person)", [ALICE_EMAIL], "A",
     "identity.verified_match", [], [], "A"),
    ("widget's site-signed email = mail's DMARC-aligned address", [
        ident("email", "alice@example.test", level="site_signed")], "A",
     "identity.verified_match", [], ["alice@example.test"], "A"),
    ("trusted Slack workspace's profile email = mail's DMARC-aligned address", [
        ident("slack_user", "T1:U1", level="provider_verified"),
        ident("email", "alice@example.test", level="provider_verified")], "A",
     "identity.verified_match", [], ["T1:U1", "alice@example.test"], "A"),
    ("verified phone from WhatsApp links and records the wa_id (chatwoot#13808)", [
        ident("wa_id", "4915100000001", level="provider_verified"), ALICE_PHONE], "A",
     "identity.verified_match", [], ["4915100000001"], "A"),
    ("Telegram's verified contact phone = WhatsApp's phone", [
        ident("telegram_id", "777", level="provider_verified"),
        ident("phone", "+4915100000001", level="provider_verified")], "A",
     "identity.verified_match", [], ["777"], "A"),
    ("an agent-confirmed identity links like a verified one", [
        ident("phone", "+4915100000005", level="provider_verified")], "D",
     "identity.verified_match", [], ["+4915100000005"], "D"),
    ("unverified From equal to a verified email: suggestion only (zammad#4895, spoofed From)", [
        ident("email", "alice@example.test", level="unverified")], None,
     "identity.unverified_suggestion", ["A"], ["alice@example.test"], None),
    ("SMS From (carrier_asserted) equal to a verified phone: the carrier's match", [
        ident("phone", "+4915100000001", level="carrier_asserted")], "A",
     "identity.carrier_match", [], ["+4915100000001"], "A"),
    ("a verified phone joins the SMS-only (carrier_asserted) contact of its number", [
        ident("phone", "+4915100000003", level="provider_verified")], "S",
     "identity.carrier_match", [], ["+4915100000003"], "S"),
    ("an unverified phone equal to an SMS number: suggestion only", [
        ident("phone", "+4915100000003", level="unverified")], None,
     "identity.unverified_suggestion", ["S"], ["+4915100000003"], None),
    ("a carrier-asserted value other than a phone links nothing", [
        ident("email", "alice@example.test", level="carrier_asserted")], None,
     "identity.unverified_suggestion", ["A"], ["alice@example.test"], None),
    ("the same SMS number writing again is the same contact", [
        ident("phone", "+4915100000003", level="carrier_asserted")], "S",
     "identity.same_address", [], [], "S"),
    ("a site-signed email never joins an unverified record: suggestion", [
        ident("email", "carol@example.test", level="site_signed")], None,
     "identity.unverified_suggestion", ["C"], ["carol@example.test"], None),
    ("conflicting verified identifiers never auto-merge (chatwoot#4728)", [BOB_PHONE, ALICE_EMAIL],
     "B", "identity.verified_conflict", ["A"], [], "B"),
    ("same widget visitor writing again is the same contact (chatwoot#258)", [
        ident("widget_visitor", "v-1", level="unverified")], "V",
     "identity.same_address", [], [], "V"),
    ("verified identifier does not join an unverified record: suggestion", [
        ident("widget_visitor", "v-1", verified=True)], None,
     "identity.unverified_suggestion", ["V"], ["v-1"], None),
    ("signed widget identity with several identifiers: all attached to the new contact", [
        ident("widget_user", "site1:u-9", level="site_signed"),
        ident("email", "dave@example.test", level="site_signed"),
        ident("phone", "+4915100000009", level="site_signed")], None,
     "identity.new_contact", [], ["site1:u-9", "dave@example.test", "+4915100000009"], None),
    ("a merged contact's identity resolves to the survivor, through its own contact", [
        ident("phone", "+4915100000004", level="provider_verified")], "M",
     "identity.verified_match", [], [], "M0"),
    ("events before levels: verified=True is provider_verified", [
        ident("phone", "+4915100000001", verified=True)], "A",
     "identity.verified_match", [], [], "A"),
    ("no identifiers at all: new contact", [], None, "identity.new_contact", [], [], None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("incoming", "contact", "rule", "suggested", "attached", "via"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_resolve(
    incoming: list[ev.Identifier],
    contact: str | None,
    rule: str,
    suggested: list[str],
    attached: list[str],
    via: str | None,
) -> None:
    res = resolve(incoming, KNOWN, "1")
    assert res.contact_id == contact
    assert res.decision.rule == rule
    assert res.decision.version == "1"
    assert res.decision.evidence
    assert [s.contact_id for s in res.suggestions] == suggested
    assert all(s.identity in incoming for s in res.suggestions)
    assert [i.value for i in res.attach] == attached
    assert res.via == via


def test_conflict_evidence_names_both_contacts() -> None:
    res = resolve([BOB_PHONE, ALICE_EMAIL], KNOWN, "1")
    assert "contact B" in res.decision.evidence and "contact A" in res.decision.evidence


def test_evidence_names_the_levels() -> None:
    res = resolve([ident("email", "alice@example.test", level="site_signed")], KNOWN, "1")
    assert "site_signed" in res.decision.evidence and "dmarc_aligned" in res.decision.evidence
    res = resolve([ident("phone", "+4915100000001", level="carrier_asserted")], KNOWN, "1")
    assert "carrier_asserted" in res.decision.evidence
    assert "provider_verified" in res.decision.evidence
