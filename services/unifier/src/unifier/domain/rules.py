"""Rule sets: the tunable policy a decision is made under, and the explained decision itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

GroupingMode = Literal["by_contact", "by_address", "by_address_kind"]
ClosedPolicy = Literal["reopen", "new"]


@dataclass(frozen=True)
class ChannelPolicy:
    """What a message on a known thread does: continue / reopen a closed one / new after N days."""

    on_closed: ClosedPolicy = "reopen"
    new_after: timedelta = timedelta(days=7)


@dataclass(frozen=True)
class RuleSet:
    version: str = "1"
    grouping: GroupingMode = "by_contact"
    window: timedelta = timedelta(days=3)  # by-contact grouping: attach only within this window
    policies: dict[str, ChannelPolicy] = field(default_factory=dict)
    default_policy: ChannelPolicy = ChannelPolicy()
    use_references: bool = True

    def policy(self, channel_kind: str) -> ChannelPolicy:
        return self.policies.get(channel_kind, self.default_policy)


@dataclass(frozen=True)
class Decision:
    """Why something happened: the rule that fired, its evidence, the rule-set version."""

    rule: str
    evidence: str
    version: str


RULE_SETS: dict[str, RuleSet] = {
    "1": RuleSet(),
    # "2": a stricter rule set: by address + channel kind, never reopen after closing.
    "2": RuleSet(
        version="2", grouping="by_address_kind", default_policy=ChannelPolicy(on_closed="new")
    ),
}


def rule_set(version: str) -> RuleSet:
    try:
        return RULE_SETS[version]
    except KeyError:
        raise ValueError(f"unknown rule set {version!r}; known: {sorted(RULE_SETS)}") from None
