"""Label names as a tenant's catalogue stores them: one spelling per label."""

from __future__ import annotations

import re
import unicodedata

MAX_LENGTH = 40
_SPACES = re.compile(r"\s+")
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


class BadLabel(ValueError):
    pass


def normalise(name: str) -> str:
    """NFKC, lower case, trimmed, inner whitespace as one ``-``; no control characters;
    1..MAX_LENGTH characters. "  Billing  Issue" -> "billing-issue"."""
    text = unicodedata.normalize("NFKC", name).strip().lower()
    text = _SPACES.sub("-", text)
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        raise BadLabel(f"label {name!r} has control or format characters")
    if not text:
        raise BadLabel("a label needs a name")
    if len(text) > MAX_LENGTH:
        raise BadLabel(f"a label has at most {MAX_LENGTH} characters")
    return text


def color(value: str | None) -> str | None:
    """``#rrggbb`` or None."""
    if value in (None, ""):
        return None
    if not _COLOR.fullmatch(value):
        raise BadLabel(f"color {value!r} is not #rrggbb")
    return value.lower()
