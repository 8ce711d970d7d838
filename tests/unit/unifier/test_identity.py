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
    # two users of one widget site sharing an email (chatwoot#4728): W42 holds it site-signed
    ("email", "shared@example.test"): [KnownIdentity("W42", "site_signed")],
    ("widget_user", "shop:43"): [KnownIdentity("W43", "site_signed")],
    ("phone", "+4915100000043"): [KnownIdentity("W43", "site_signed")],
    ("phone", "+4915100000006"): [KnownIdentity("T", "provider_verified")],  # Telegram 1
    ("email", "tele@example.test"): [KnownIdentity("U", "dmarc_aligned")],  # no Telegram known
}
# the linking identities of exclusive kinds each contact holds (what the store loads)
EXCLUSIVE: dict[str, set[tuple[str, str]]] = {
    c: set() for c in ("A", "B", "V", "S", "C", "D", "M", "U")
} | {"W42": {("widget_user", "shop:42")}, "W43": {("widget_user", "shop:43")},
     "T": {("telegram_id", "1")}}  # fmt: skip

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
    ("verified identifiers of two contacts prove one person: merged into the first", [
        BOB_PHONE, ALICE_EMAIL], "B", "identity.verified_merge", [], [], "B"),
    ("email + phone in one signed widget identity bridge the mail and the WhatsApp contact", [
        ident("widget_user", "site:maria", level="site_signed"),
        ident("email", "alice@example.test", level="site_signed"),
        ident("phone", "+4915100000002", level="site_signed")], "A",
     "identity.verified_merge", [],
     ["site:maria", "alice@example.test", "+4915100000002"], "A"),
    ("widget users shop:42 and shop:43 sharing an email never merge (chatwoot#4728)", [
        ident("widget_user", "shop:43", level="site_signed"),
        ident("email", "shared@example.test", level="site_signed")], "W43",
     "identity.verified_conflict", ["W42"], [], "W43"),
    ("a second user of one site with the first one's email is someone else: new contact", [
        ident("widget_user", "shop:44", level="site_signed"),
        ident("email", "shared@example.test", level="site_signed")], None,
     "identity.verified_conflict", ["W42"], ["shop:44"], None),
    ("a message's own exclusive id against a contact's: telegram 2 is not telegram 1", [
        ident("telegram_id", "2", level="provider_verified"),
        ident("phone", "+4915100000006", level="provider_verified"),
        ident("email", "tele@example.test", level="provider_verified")], "T",
     "identity.verified_conflict", ["U"], ["2"], "T"),
    ("widget users of two sites are not exclusive of each other: merged", [
        ident("widget_user", "other:9", level="site_signed"),
        ident("email", "shared@example.test", level="site_signed"),
        ident("phone", "+4915100000001", level="site_signed")], "W42",
     "identity.verified_merge", [], ["other:9", "+4915100000001"], "W42"),
    ("a verified phone bridges to the SMS-only contact of its number (carrier_match's reverse)", [
        ALICE_EMAIL, ident("phone", "+4915100000003", level="provider_verified")], "A",
     "identity.verified_merge", [], ["+4915100000003"], "A"),
    ("an SMS From never bridges: the carrier says who gets replies, not who is who", [
        ident("email", "alice@example.test", level="dmarc_aligned"),
        ident("phone", "+4915100000002", level="carrier_asserted")], "A",
     "identity.verified_conflict", ["B"], [], "A"),
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
    res = resolve(incoming, KNOWN, "1", exclusive=EXCLUSIVE)
    assert res.contact_id == contact
    assert res.decision.rule == rule
    assert res.decision.version == "1"
    assert res.decision.evidence
    assert [s.contact_id for s in res.suggestions] == suggested
    assert all(s.identity in incoming for s in res.suggestions)
    assert [i.value for i in res.attach] == attached
    assert res.via == via


def test_conflict_evidence_names_both_contacts_and_why_not_merged() -> None:
    shop = [ident("widget_user", "shop:43", level="site_signed"),
            ident("email", "shared@example.test", level="site_signed")]  # fmt: skip
    res = resolve(shop, KNOWN, "1", exclusive=EXCLUSIVE)
    assert "contact W43" in res.decision.evidence and "contact W42" in res.decision.evidence
    assert "widget_user shop:43 of the message differs from shop:42 of contact W42" in (
        res.decision.evidence
    )


def test_a_merge_names_each_identifier_its_level_and_contact() -> None:
    res = resolve([BOB_PHONE, ALICE_EMAIL], KNOWN, "1", exclusive=EXCLUSIVE)
    assert res.merged == ("A",)
    for part in (
        "phone +4915100000002 (provider_verified, test) matches the provider_verified"
        " identity of contact B",
        "email alice@example.test (dmarc_aligned, test) matches the dmarc_aligned"
        " identity of contact A",
    ):
        assert part in res.decision.evidence


def test_a_dismissed_pair_never_merges() -> None:
    res = resolve([BOB_PHONE, ALICE_EMAIL], KNOWN, "1", exclusive=EXCLUSIVE, dismissed={("A", "B")})
    assert (res.decision.rule, res.merged) == ("identity.verified_conflict", ())
    assert [s.contact_id for s in res.suggestions] == ["A"]
    assert "an agent dismissed contacts A and B" in res.decision.evidence


def test_without_the_contacts_exclusive_identities_nothing_merges() -> None:
    for exclusive in (None, {"B": set[tuple[str, str]]()}):
        res = resolve([BOB_PHONE, ALICE_EMAIL], KNOWN, "1", exclusive=exclusive)
        assert (res.decision.rule, res.merged) == ("identity.verified_conflict", ())
        assert "the exclusive identities of contact" in res.decision.evidence


def test_evidence_names_the_levels() -> None:
    res = resolve([ident("email", "alice@example.test", level="site_signed")], KNOWN, "1")
    assert "site_signed" in res.decision.evidence and "dmarc_aligned" in res.decision.evidence
    res = resolve([ident("phone", "+4915100000001", level="carrier_asserted")], KNOWN, "1")
    assert "carrier_asserted" in res.decision.evidence
    assert "provider_verified" in res.decision.evidence
