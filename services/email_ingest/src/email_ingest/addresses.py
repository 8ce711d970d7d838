"""Address lists, parsed strictly enough for identity (see CVE-2023-27043).

Comments are removed before anything else, so ``alice@example.org(<bob@example.org>`` is
Alice, not Bob. Anything ambiguous (unbalanced quotes, brackets or parentheses, more than one
address where one is expected) is reported as a defect; callers never verify such a sender.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ADDR = re.compile(r"^[^\s@<>(),;:\"]+@[^\s@<>(),;:\"]+$")
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_QUOTED_PAIR = re.compile(r"\\(.)")


@dataclass(frozen=True)
class Address:
    addr: str  # lower-cased domain, local part as written
    name: str | None = None

    @property
    def domain(self) -> str:
        return self.addr.rpartition("@")[2]


@dataclass(frozen=True)
class AddressList:
    addresses: list[Address]
    defects: list[str]


def parse_addresses(text: str) -> AddressList:
    defects: list[str] = []
    cleaned = _strip_comments(text, defects)
    out = []
    for item in _split_outside_quotes(cleaned, defects):
        out.extend(_one(item.strip(), defects))
    return AddressList(out, defects)


def _strip_comments(text: str, defects: list[str]) -> str:
    if "(" not in text and '"' not in text and "\\" not in text:
        return text
    out: list[str] = []
    depth, quoted, escaped = 0, False, False
    for ch in text:
        if escaped:
            escaped = False
            if depth == 0:
                out.append(ch)
            continue
        if ch == "\\":
            escaped = True
        elif ch == '"' and depth == 0:
            quoted = not quoted
        elif ch == "(" and not quoted:
            depth += 1
            continue
        elif ch == ")" and not quoted and depth:
            depth -= 1
            continue
        if depth == 0:
            out.append(ch)
    if depth or quoted:
        defects.append("unbalanced_comment_or_quote")
    return "".join(out)


def _split_outside_quotes(text: str, defects: list[str]) -> list[str]:
    items: list[str] = []
    current: list[str] = []
    quoted, angle, escaped = False, 0, False
    for ch in text:
        if escaped:  # a quoted-pair (\" or \\ inside a quoted name) is one literal character
            escaped = False
        elif ch == "\\" and quoted:
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == "<" and not quoted:
            angle += 1
        elif ch == ">" and not quoted and angle:
            angle -= 1
        elif ch in ",;" and not quoted and not angle:
            items.append("".join(current))
            current = []
            continue
        current.append(ch)
    items.append("".join(current))
    if angle:
        defects.append("unbalanced_angle_brackets")
    return [item for item in items if item.strip()]


def _one(item: str, defects: list[str]) -> list[Address]:
    head = item.split(":", 1)[0]
    if ":" in item and "<" not in head and '"' not in head:
        item = item.split(":", 1)[1].strip()  # group syntax "undisclosed: a@b"
        if not item:
            return []
    name: str | None = None
    if "<" in item:
        before, _, rest = item.rpartition("<")
        spec = rest.split(">", 1)[0].strip()
        name = _display_name(before)
        if _outside_quotes(before).count("<"):  # a quoted name may hold "<" (RFC 5322)
            defects.append("several_angle_addresses")
    else:
        spec = item.strip().strip('"')
    if _ADDR.match(spec):
        return [_address(spec, name)]
    return _bare(spec, defects)


def _display_name(before: str) -> str | None:
    text = before.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = _QUOTED_PAIR.sub(r"\1", text[1:-1])
    return text.strip() or None


def _outside_quotes(text: str) -> str:
    return _QUOTED.sub("", text)


def _bare(spec: str, defects: list[str]) -> list[Address]:
    """``Name a@b`` or ``a@b c@d``: addresses without brackets (a defect, never trusted)."""
    found = [_address(token, None) for token in spec.split() if _ADDR.match(token)]
    defects.append(f"unbracketed_or_invalid_address:{spec[:80]}")
    return found


def _address(spec: str, name: str | None) -> Address:
    local, _, domain = spec.rpartition("@")
    return Address(f"{local}@{domain.lower().rstrip('.')}", name)
