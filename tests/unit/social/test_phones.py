"""E.164 normalisation: the fast path agrees with phonenumbers; formatted input is parsed."""

from __future__ import annotations

import pytest

from hotline.phones import _parsed, e164

SAME = [
    "972987654321",
    "4915112345678",
    "14155552671",
    "+14155552671",
    "447911123456",
    "5511987654321",
    "8613812345678",
    "61412345678",
    "+33612345678",
    "2348031234567",
]


@pytest.mark.parametrize("raw", SAME)
def test_fast_path_matches_phonenumbers(raw: str) -> None:
    assert e164(raw) == _parsed(raw, None) is not None


@pytest.mark.parametrize(
    ("raw", "region", "want"),
    [
        ("+1 555-555-5555", None, "+15555555555"),
        ("(415) 555-2671", "US", "+14155552671"),
        ("4155552671", "US", "+14155552671"),
        ("030 1234567", "DE", "+49301234567"),
        ("<WHATSAPP_USER_PHONE_NUMBER>", None, None),
        ("", None, None),
        ("12", None, None),
        ("0049301234567", None, None),
        ("9999999999999999", None, None),
    ],
)
def test_formatted_national_and_junk(raw: str, region: str | None, want: str | None) -> None:
    assert e164(raw, region) == want
