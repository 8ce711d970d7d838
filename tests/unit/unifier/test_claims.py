"""What a new contact claims: identifiers nobody held in a class that would have linked."""

from __future__ import annotations

from tests.unit.unifier.factory import ident
from unifier.domain.claims import LINKING_CLASS, claim_class, claims
from unifier.domain.identity import KnownIdentity


def test_linking_levels_and_a_carrier_phone_share_one_class() -> None:
    assert claim_class("email", "dmarc_aligned") == claim_class("email", "site_signed")
    assert claim_class("phone", "carrier_asserted") == LINKING_CLASS
    assert claim_class("email", "carrier_asserted") == "carrier_asserted"
    assert claim_class("email", "unverified") == "unverified"


def test_a_new_contact_claims_only_what_nobody_holds_in_its_class() -> None:
    mail = ident("email", "a@x.test", level="dmarc_aligned")
    user = ident("widget_user", "site1:a", level="site_signed")
    spoof = ident("email", "b@x.test", level="unverified")
    known = {
        ("email", "a@x.test"): [KnownIdentity("c-old", "unverified")],  # another class
        ("email", "b@x.test"): [KnownIdentity("c-old", "provider_verified")],
    }
    got = {(c.kind, c.value, c.claim_class) for c in claims("c-new", [mail, user, spoof], known)}
    assert got == {
        ("email", "a@x.test", LINKING_CLASS),
        ("widget_user", "site1:a", LINKING_CLASS),
        ("email", "b@x.test", "unverified"),
    }


def test_a_value_held_in_its_class_is_never_claimed_again() -> None:
    """What makes a retried decision progress: the winner's identity is now in the load."""
    mail = ident("email", "a@x.test", level="site_signed")
    known = {("email", "a@x.test"): [KnownIdentity("c-winner", "dmarc_aligned")]}
    assert claims("c-new", [mail], known) == []


def test_one_claim_per_key_even_when_a_message_repeats_an_identifier() -> None:
    a = ident("email", "a@x.test", level="site_signed")
    b = ident("email", "a@x.test", level="dmarc_aligned")
    assert len(claims("c-new", [a, b], {})) == 1
