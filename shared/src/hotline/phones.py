"""Phone numbers to E.164 (phonenumbers); None when the input is not a plausible number.

Provider ids that are already canonical (WhatsApp ``wa_id``: the digits of the international
number) take a fast path: 8-15 digits behind a known country calling code are already E.164.
Everything else (formatted, national, with letters) goes through phonenumbers.
"""

from __future__ import annotations

from functools import lru_cache

import phonenumbers

CALLING_CODES = frozenset(str(c) for c in phonenumbers.COUNTRY_CODE_TO_REGION_CODE)


@lru_cache(maxsize=65_536)
def e164(raw: str, region: str | None = None) -> str | None:
    """``"972987654321"`` (WhatsApp wa_id, digits only) and ``"+1 555-555-5555"`` both work."""
    text = raw.strip()
    digits = text[1:] if text.startswith("+") else text
    international = text.startswith("+") or not region
    if international and _canonical(digits):
        return "+" + digits
    return _parsed(text, region)


def _canonical(digits: str) -> bool:
    return digits.isdigit() and digits.isascii() and 8 <= len(digits) <= 15 and _known_code(digits)


def _known_code(digits: str) -> bool:
    return any(digits[:n] in CALLING_CODES for n in (1, 2, 3)) and digits[0] != "0"


def _parsed(text: str, region: str | None) -> str | None:
    if not text:
        return None
    candidate = text if text.startswith("+") or region else "+" + text
    try:
        number = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
