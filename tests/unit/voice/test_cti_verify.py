"""``X-Hotline-Signature`` parsing and checking, pure."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from voice.providers.cti.verify import Stamp, fresh, header_for, sign, signed_with, stamp_of


def test_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    want = hmac.new(b"s3cret", b"1700000000.event=hangup", hashlib.sha256).hexdigest()
    assert sign("s3cret", 1700000000, b"event=hangup") == want
    assert header_for("s3cret", 1700000000, b"event=hangup") == f"t=1700000000,v1={want}"


@pytest.mark.parametrize(
    ("header", "stamp"),
    [
        ("t=17,v1=AB", Stamp(17, ("ab",))),
        (" t=17 , v1=ab, v1=cd ", Stamp(17, ("ab", "cd"))),
        ("v1=ab,t=17,v0=zz", Stamp(17, ("ab",))),
        ("t=17", None),
        ("v1=ab", None),
        ("t=-5,v1=ab", None),
        ("t=١٧,v1=ab", None),  # non-ASCII digits
        ("", None),
        (None, None),
    ],
)
def test_stamp_of(header: str | None, stamp: Stamp | None) -> None:
    assert stamp_of(header) == stamp


def test_fresh_within_tolerance_either_way() -> None:
    stamp = Stamp(1000, ("x",))
    assert fresh(stamp, 1300) and fresh(stamp, 700)
    assert not fresh(stamp, 1301) and not fresh(stamp, 699)


def test_signed_with_checks_every_given_signature() -> None:
    good = sign("k", 5, b"body")
    assert signed_with("k", Stamp(5, ("00", good)), b"body")
    assert not signed_with("k", Stamp(6, (good,)), b"body")
    assert not signed_with("other", Stamp(5, (good,)), b"body")
