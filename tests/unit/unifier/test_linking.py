"""Linking across messages and batches: attached identifiers, suggestions once per pair,
dismissed pairs never again, display names never link, evidence on every link."""

from __future__ import annotations

from datetime import timedelta

import msgspec

from hotline import events as ev
from hotline import unified as un
from tests.unit.unifier.factory import ident, message
from unifier.domain.linking import suggestion_id
from unifier.domain.rules import RuleSet
from unifier.domain.unify import unify
from unifier.domain.working import Plan, WorkingSet

H = timedelta(hours=1)
MAIL = ident("email", "maria@example.test", level="dmarc_aligned")
PHONE = "+4915100000007"
EMAIL = "pat@example.test"


def run(ws: WorkingSet, *events: ev.MessageReceived) -> Plan:
    return unify(ws, [(e, ev.encode(e)) for e in events], RuleSet())


def named(m: ev.MessageReceived, name: str) -> ev.MessageReceived:
    return msgspec.structs.replace(m, sender=msgspec.structs.replace(m.sender, display_name=name))


def test_a_signed_widget_identity_attaches_all_its_identifiers_so_any_links_later() -> None:
    ws = WorkingSet("acme")
    widget = message("v1", "widget", handle="visitor-1", ids=[
        ident("widget_user", "site1:maria", level="site_signed"),
        ident("email", "maria@example.test", level="site_signed"),
        ident("phone", PHONE, level="site_signed"),
    ])  # fmt: skip
    plan = run(ws, widget)
    maria = plan.messages[0].contact_id
    assert [(i.kind, i.level, i.verified) for i in plan.identities] == [
        ("widget_user", "site_signed", True),
        ("email", "site_signed", True),
        ("phone", "site_signed", True),
    ]
    wa = message("w1", "whatsapp", handle=PHONE, at=H, ids=[
        ident("wa_id", PHONE[1:], level="provider_verified"),
        ident("phone", PHONE, level="provider_verified"),
    ])  # fmt: skip
    mail = message("e1", handle="maria@example.test", at=2 * H, ids=[MAIL])
    plan = run(ws, wa, mail)
    assert [m.contact_id for m in plan.messages] == [maria, maria]
    assert [m.resolved_contact_id for m in plan.messages] == [None, None]
    assert {i.rule for i in plan.identities} == {"identity.verified_match"}


def test_every_link_carries_its_level_message_and_rule() -> None:
    plan = run(WorkingSet("acme"), message("e1", ids=[MAIL]))
    [row] = plan.identities
    assert (row.level, row.link_event_id, row.rule) == (
        "dmarc_aligned",
        plan.messages[0].event_id,
        "identity.new_contact",
    )
    assert "maria@example.test (dmarc_aligned" in row.evidence
    [linked] = [e for e in plan.outbox if isinstance(e, un.ContactLinked)]
    assert linked.identity.trust() == "dmarc_aligned"
    assert linked.source_event_id == plan.messages[0].event_id
    assert linked.decision.rule == "identity.new_contact"


def sms(pmid: str, at: timedelta = timedelta(0)) -> ev.MessageReceived:
    return message(pmid, "sms", handle=PHONE, at=at,
                   ids=[ident("phone", PHONE, level="carrier_asserted")])  # fmt: skip


def whatsapp(pmid: str, at: timedelta = timedelta(0)) -> ev.MessageReceived:
    return message(pmid, "whatsapp", handle=PHONE, at=at,
                   ids=[ident("phone", PHONE, level="provider_verified")])  # fmt: skip


def test_sms_and_whatsapp_of_one_number_are_one_contact_by_the_carriers_match() -> None:
    ws = WorkingSet("acme")
    plan = run(ws, sms("s1"), whatsapp("w1", H), sms("s2", 2 * H), whatsapp("w2", 3 * H))
    s = plan.messages[0].contact_id
    assert [m.contact_id for m in plan.messages] == [s, s, s, s]
    linked = [e for e in plan.outbox if isinstance(e, un.ContactLinked)]
    rules = {(e.identity.trust(), e.decision.rule) for e in linked}
    assert ("provider_verified", "identity.carrier_match") in rules
    assert plan.suggestions == []


def unverified_mail(pmid: str, at: timedelta = timedelta(0)) -> ev.MessageReceived:
    return message(pmid, "email", handle=EMAIL, at=at,
                   ids=[ident("email", EMAIL, level="unverified")])  # fmt: skip


def aligned_mail(pmid: str, at: timedelta = timedelta(0)) -> ev.MessageReceived:
    return message(pmid, "email", handle=EMAIL, at=at,
                   ids=[ident("email", EMAIL, level="dmarc_aligned")])  # fmt: skip


def test_an_unverified_and_an_aligned_sender_of_one_address_are_suggested_once() -> None:
    ws = WorkingSet("acme")
    plan = run(ws, unverified_mail("u1"), aligned_mail("a1", H), unverified_mail("u2", 2 * H))
    u, a = plan.messages[0].contact_id, plan.messages[1].contact_id
    assert u != a
    assert [m.contact_id for m in plan.messages] == [u, a, u]
    [row] = plan.suggestions
    assert (row.contact_id, row.suggested_contact_id) == tuple(sorted((u, a)))
    assert row.suggestion_id == suggestion_id("acme", a, u)
    assert (row.kind, row.level, row.source_event_id) == (
        "email",
        "dmarc_aligned",
        plan.messages[1].event_id,
    )
    [event] = [e for e in plan.outbox if isinstance(e, un.ContactSuggested)]
    assert (event.contact_id, event.suggested_contact_id) == (a, u)
    assert "unverified" in event.decision.evidence


def test_a_dismissed_pair_is_not_suggested_again() -> None:
    ws = WorkingSet("acme")
    plan = run(ws, unverified_mail("u1"), aligned_mail("a1", H))
    pair, unverified_contact = plan.suggestions[0], plan.messages[0].contact_id
    # what the store loads for the next batch: the pair, now dismissed
    later = WorkingSet("acme", identities=ws.identities, canonical=ws.canonical)
    later.suggested.add((pair.contact_id, pair.suggested_contact_id))
    plan = run(later, unverified_mail("u2", 2 * H))
    assert plan.messages[0].contact_id == unverified_contact
    assert plan.suggestions == []
    assert not [e for e in plan.outbox if isinstance(e, un.ContactSuggested)]
    fresh = WorkingSet("acme", identities=ws.identities, canonical=ws.canonical)
    assert run(fresh, unverified_mail("u3", 3 * H)).suggestions  # not dismissed: suggested


def test_the_same_display_name_alone_never_links() -> None:
    ws = WorkingSet("acme")
    a = named(message("m1", "messenger", handle="psid-1", ids=[ident("psid", "psid-1")]), "Maria")
    b = named(message("m2", "instagram", handle="ig-2", ids=[ident("ig_id", "ig-2")]), "Maria")
    c = named(message("m3", "widget", handle="v-3"), "Maria")
    plan = run(ws, a, b, c)
    assert len({m.contact_id for m in plan.messages}) == 3
    assert plan.suggestions == []


def widget(pmid: str, at: timedelta, *ids: ev.Identifier) -> ev.MessageReceived:
    return message(pmid, "widget", handle="visitor", at=at, ids=list(ids))


BRIDGE = (  # Maria's signed widget identity: her email and her phone
    ident("email", "maria@example.test", level="site_signed"),
    ident("phone", PHONE, level="site_signed"),
    ident("widget_user", "site1:maria", level="site_signed"),
)


def test_one_message_proving_two_contacts_are_one_person_merges_them_and_their_threads() -> None:
    ws = WorkingSet("acme")
    plan = run(ws, message("e1", ids=[MAIL]), whatsapp("w1", H), widget("v1", 2 * H, *BRIDGE),
               whatsapp("w2", 3 * H), message("e2", at=4 * H, ids=[MAIL]))  # fmt: skip
    mail, wa, bridge, wa2, mail2 = plan.messages
    a, b = mail.contact_id, wa.contact_id
    assert a != b and mail.thread_id != wa.thread_id
    assert [m.contact_id for m in (bridge, wa2, mail2)] == [a, a, a]
    assert (bridge.rule, wa2.resolved_contact_id) == ("group.by_contact", b)
    assert bridge.thread_id == wa2.thread_id == mail2.thread_id == mail.thread_id
    [merge] = plan.merges
    assert (merge.merged, merge.into, merge.thread_id) == (b, a, mail.thread_id)
    [event] = [e for e in plan.outbox if isinstance(e, un.ContactMerged)]
    assert (event.contact_id, event.merged_contact_id, event.merged_by) == (a, b, "unifier")
    assert event.decision.rule == "identity.verified_merge"
    for part in (f"identity of contact {a}", f"identity of contact {b}", "site_signed",
                 "provider_verified", "dmarc_aligned", f"message {bridge.event_id}"):  # fmt: skip
        assert part in event.decision.evidence
    assert plan.keys["grp:contact:" + b] == plan.keys["grp:contact:" + a] == mail.thread_id
    assert ws.canonical[b] == a and plan.suggestions == []


def test_under_address_grouping_only_the_contacts_merge() -> None:
    ws = WorkingSet("acme")
    events = [message("e1", ids=[MAIL]), whatsapp("w1", H), widget("v1", 2 * H, *BRIDGE)]
    plan = unify(ws, [(e, ev.encode(e)) for e in events], RuleSet(grouping="by_address"))
    [merge] = plan.merges
    assert (merge.into, merge.thread_id) == (plan.messages[0].contact_id, None)
    assert not [k for k in plan.keys if k.startswith("grp:contact:")]


def test_conflicting_exclusive_identifiers_never_merge_and_are_suggested() -> None:
    ws = WorkingSet("acme")
    shop42 = ident("widget_user", "shop:42", level="site_signed")
    shop43 = ident("widget_user", "shop:43", level="site_signed")
    phone = ident("phone", PHONE, level="site_signed")
    first = run(ws, widget("v1", H, shop42, BRIDGE[0]), widget("v2", 2 * H, shop43, phone))
    x, y = (m.contact_id for m in first.messages)
    assert x != y
    plan = run(ws, widget("v3", 3 * H, shop43, BRIDGE[0], phone))
    assert (plan.messages[0].contact_id, plan.messages[0].rule) == (y, "group.by_contact")
    assert plan.merges == [] and ws.canonical[x] == x
    assert [s.suggestion_id for s in plan.suggestions] == [suggestion_id("acme", x, y)]
    assert plan.identities == []  # the claimed email stays with x
    [event] = [e for e in plan.outbox if isinstance(e, un.ContactSuggested)]
    assert event.decision.rule == "identity.verified_conflict"
    assert f"maria@example.test (site_signed, test) belongs to contact {x}" in (
        event.decision.evidence
    )


def test_a_second_user_of_a_site_sharing_an_email_is_a_contact_of_their_own() -> None:
    ws = WorkingSet("acme")
    shop42 = ident("widget_user", "shop:42", level="site_signed")
    shop43 = ident("widget_user", "shop:43", level="site_signed")
    plan = run(ws, widget("v1", H, shop42, BRIDGE[0]), widget("v2", 2 * H, shop43, BRIDGE[0]))
    x, y = (m.contact_id for m in plan.messages)
    assert x != y
    assert [s.suggestion_id for s in plan.suggestions] == [suggestion_id("acme", x, y)]
    assert [(i.contact_id, i.value) for i in plan.identities][-1] == (y, "shop:43")
    plan = run(ws, widget("v3", 3 * H, shop43, BRIDGE[0]))  # the second user again
    assert plan.messages[0].contact_id == y


def test_a_dismissed_pair_never_merges() -> None:
    ws = WorkingSet("acme")
    first = run(ws, message("e1", ids=[MAIL]), whatsapp("w1", H))
    a, b = (m.contact_id for m in first.messages)
    ws.dismissed.add((min(a, b), max(a, b)))  # what the store loads for a dismissed pair
    plan = run(ws, widget("v1", 2 * H, *BRIDGE))
    assert plan.messages[0].contact_id == a and plan.merges == []
    assert not [e for e in plan.outbox if isinstance(e, un.ContactMerged)]


def test_a_message_resolved_through_a_merged_contact_remembers_it() -> None:
    ws = WorkingSet("acme")
    first = run(ws, message("e1", ids=[MAIL]), whatsapp("w1", H))
    a, b = (m.contact_id for m in first.messages)
    # b merged into a (what the store loads after a merge)
    merged = WorkingSet("acme", canonical={a: a, b: a})
    for key, known in ws.identities.items():
        merged.identities[key] = [type(k)(a, k.level, k.contact_id if k.contact_id != a else "")
                                  for k in known]  # fmt: skip
    plan = run(merged, whatsapp("w2", 2 * H), message("e2", at=2 * H, ids=[MAIL]))
    assert [(m.contact_id, m.resolved_contact_id) for m in plan.messages] == [(a, b), (a, None)]
