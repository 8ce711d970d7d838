"""Numbers in call records: E.164 with the account's default region, and what counts as an
internal extension rather than somebody's phone.

``phonenumbers`` takes national formats and punctuation (spaces, "-", "/", "()": the
"030/1234567" that Zammad's CTI fails to match, zammad#5128); the international prefix of the
region (``00`` in most of Europe, ``011`` in NANP) is understood when a region is given.
"""

from __future__ import annotations

from hotline import phones

#: Longest number that is an extension of the PBX, not an outside line (digits only).
EXTENSION_MAX_DIGITS = 6
#: What PBXs write for a withheld caller id.
WITHHELD = frozenset({"", "anonymous", "unknown", "restricted", "private", "unavailable", "s"})


def e164(raw: str, region: str | None) -> str | None:
    """``raw`` as E.164 (``hotline.phones``), or None for an extension or a withheld caller."""
    text = raw.strip()
    if is_extension(text) or text.lower() in WITHHELD:
        return None
    if region is None and text.startswith("00"):  # a PBX's own dialling: 00 is international
        text = "+" + text[2:]
    return phones.e164(text, region)


def is_extension(text: str) -> bool:
    """Digits only (``*`` and ``#`` allowed: feature codes), at most EXTENSION_MAX_DIGITS."""
    digits = text.strip().replace("*", "").replace("#", "")
    return digits.isdigit() and digits.isascii() and len(digits) <= EXTENSION_MAX_DIGITS


def is_outside(raw: str, region: str | None) -> bool:
    """A number of somebody outside the PBX."""
    return e164(raw, region) is not None
