"""The identifiers an edge can prove about a sender, each with its verification level.

``verified`` is True only for the levels that may link two contacts without an agent
(``hotline.events.LINKING_LEVELS``); ``level`` says how the value was proven, so the unifier
can explain (and refuse) a link. The policy per provider is in the service README.
"""

from __future__ import annotations

from hotline import events as ev


def provider_verified(
    kind: ev.IdentifierKind, value: str, source: str = "provider"
) -> ev.Identifier:
    """An id the provider itself vouches for (it authenticated the user to deliver the message)."""
    return ev.identifier(kind, value, "provider_verified", source)
