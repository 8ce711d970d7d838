"""Numbers in call records: E.164 with the account's default region, and what counts as an
internal extension rather than somebody's phone.

``phonenumbers`` takes national formats and punctuation (spaces, "-", "/", "()": the
"030/1234567" that Zammad's CTI fails to match, zammad#5128); the international prefix of the
region (``00`` in most of Europe, ``011`` in NANP) is understood when a region is given.
"""

from __future__ import annotations

from functools import lru_cache

import phonenumbers

#: Longest number that is an extension of the PBX, not an outside line (digits only).
EXTENSION_MAX_DIGITS = 6
#: What PBXs write for a withheld caller id.
WITHHELD = frozenset({"", "anonymous", "unknown", "restricted", "private", "unavailable", "s"})


@lru_cache(maxsize=65_536)
def e164(raw: str, region: str | None) -> str | None:
    """``raw`` as E.164, or None when it is no possible phone number (or an extension)."""
    text = raw.strip()
    if is_extension(text) or text.lower() in WITHHELD:
        return None
    try:
        number = phonenumbers.parse(text if region else _international(text), region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def _international(text: str) -> str:
    """Without a region only international numbers: ``+49…``, ``0049…`` or ``49…``."""
    if text.startswith("+"):
        return text
    return "+" + (text[2:] if text.startswith("00") else text)


def is_extension(text: str) -> bool:
    """Digits only (``*`` and ``#`` allowed: feature codes), at most EXTENSION_MAX_DIGITS."""
    digits = text.strip().replace("*", "").replace("#", "")
    return digits.isdigit() and digits.isascii() and len(digits) <= EXTENSION_MAX_DIGITS


def is_outside(raw: str, region: str | None) -> bool:
    """A number of somebody outside the PBX."""
    return e164(raw, region) is not None
