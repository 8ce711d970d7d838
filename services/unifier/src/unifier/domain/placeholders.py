"""Placeholders in a tenant's canned responses: ``{{contact.name}}``, ``{{contact.first_name}}``,
``{{agent.name}}``, ``{{conversation.id}}``.

A fixed set substituted by one regex pass. Tenant-written text is never a template (no Jinja,
no expressions, no attribute lookup), and a substituted value is never read again, so a
customer named ``{{agent.name}}`` or ``<script>`` stays that text. An unknown placeholder stays
visible as written and is reported, so the agent sees it before sending.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

KNOWN = ("contact.name", "contact.first_name", "agent.name", "conversation.id")
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_.]{1,64})\s*\}\}")


@dataclass(frozen=True)
class Rendered:
    text: str
    unknown: tuple[str, ...]  # the placeholders left as written, in order, once each


def first_name(name: str) -> str:
    parts = name.split()
    return parts[0] if parts else ""


def values_for(contact_name: str, agent_name: str, conversation_id: str) -> dict[str, str]:
    return {
        "contact.name": contact_name,
        "contact.first_name": first_name(contact_name),
        "agent.name": agent_name,
        "conversation.id": conversation_id,
    }


def render(body: str, values: Mapping[str, str]) -> Rendered:
    """``body`` with each known placeholder replaced by its value, in a single pass."""
    unknown: list[str] = []

    def substitute(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in KNOWN and name in values:
            return values[name]
        if m.group(0) not in unknown:
            unknown.append(m.group(0))
        return m.group(0)

    return Rendered(_PLACEHOLDER.sub(substitute, body), tuple(unknown))
