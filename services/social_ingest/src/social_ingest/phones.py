"""Phone numbers to E.164 (phonenumbers); None when the input is not a plausible number."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers


@lru_cache(maxsize=65_536)
def e164(raw: str, region: str | None = None) -> str | None:
    """``"972987654321"`` (WhatsApp wa_id, digits only) and ``"+1 555-555-5555"`` both work."""
    text = raw.strip()
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
