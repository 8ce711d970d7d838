"""A tenant's triage rules: ordered category rules (keywords, a regex, channels -> category) and
ordered priority rules (VIP contact, keywords, a regex, channels, category -> priority). The
first rule whose every given condition holds wins; a rule with no condition always matches.

The document (JSON, by API or file; README "Triage")::

    {"category": [{"id": "refunds", "category": "billing", "keywords": ["refund", "invoice"]}],
     "priority": [{"id": "vip", "priority": "urgent", "vip": true},
                  {"id": "outage", "priority": "high", "regex": "\\\\b(down|outage)\\\\b"}],
     "default_priority": "normal", "model_confidence": 0.6}
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

PRIORITIES = ("low", "normal", "high", "urgent")  # lowest first
RANK = {p: i for i, p in enumerate(PRIORITIES, 1)}
_CONDITIONS = {"keywords", "regex", "channels"}
_FIELDS = {"category": {"id", "category", *_CONDITIONS}}
_FIELDS["priority"] = {"id", "priority", "categories", "vip", *_CONDITIONS}


class RulesError(ValueError):
    """A rules document that cannot be used; the message says where."""


@dataclass(frozen=True)
class Rule:
    id: str
    value: str  # the category or priority it gives
    words: re.Pattern[str] | None = None  # any keyword, as a whole word, any case
    pattern: re.Pattern[str] | None = None
    channels: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    vip: bool | None = None

    def match(self, text: str, channel: str, category: str | None, vip: bool) -> str | None:
        """Why this rule matches (its evidence), or None."""
        why = [f"channel {channel}"] if self.channels else []
        if self.channels and channel not in self.channels:
            return None
        if self.categories and category not in self.categories:
            return None
        if self.vip is not None and self.vip != vip:
            return None
        for name, rx in (("keyword", self.words), ("regex", self.pattern)):
            found = rx.search(text) if rx else None
            if rx and not found:
                return None
            why += [f"{name} {found.group(0)!r}"] if found else []
        why += [f"category {category}"] if self.categories else []
        why += ["VIP contact" if vip else "not a VIP contact"] if self.vip is not None else []
        return ", ".join(why) or "always"


@dataclass(frozen=True)
class TriageRules:
    category: tuple[Rule, ...] = ()
    priority: tuple[Rule, ...] = ()
    default_priority: str = "normal"
    model_confidence: float = 0.6
    version: str = "none"  # a digest of the document: recorded with every rule's result
    doc: dict[str, Any] = field(default_factory=dict, compare=False)


def parse_rules(doc: Any) -> TriageRules:
    """``doc``: the decoded JSON document; RulesError says what is wrong."""
    if not isinstance(doc, dict):
        raise RulesError("the rules must be a JSON object")
    unknown = set(doc) - {"category", "priority", "default_priority", "model_confidence"}
    if unknown:
        raise RulesError(f"unknown keys: {sorted(unknown)}")
    default = doc.get("default_priority", "normal")
    if default not in RANK:
        raise RulesError(f"default_priority must be one of {list(PRIORITIES)}")
    threshold = doc.get("model_confidence", 0.6)
    if not isinstance(threshold, int | float) or not 0 <= threshold <= 1:
        raise RulesError("model_confidence must be a number from 0 to 1")
    digest = hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:12]
    return TriageRules(
        tuple(_rule(r, "category", i) for i, r in enumerate(_list(doc, "category"))),
        tuple(_rule(r, "priority", i) for i, r in enumerate(_list(doc, "priority"))),
        default,
        float(threshold),
        digest,
        doc,
    )


def _list(doc: dict[str, Any], key: str) -> list[Any]:
    rules = doc.get(key, [])
    if not isinstance(rules, list):
        raise RulesError(f"{key} must be a list of rules")
    return rules


def _rule(raw: Any, kind: str, i: int) -> Rule:
    where = f"{kind}[{i}]"
    if not isinstance(raw, dict) or set(raw) - _FIELDS[kind]:
        raise RulesError(f"{where}: an object with only {sorted(_FIELDS[kind])}")
    rid, value = raw.get("id"), raw.get(kind)
    if not isinstance(rid, str) or not rid or not isinstance(value, str) or not value:
        raise RulesError(f"{where}: needs a non-empty id and {kind}")
    if kind == "priority" and value not in RANK:
        raise RulesError(f"{where}: priority must be one of {list(PRIORITIES)}")
    return Rule(
        rid,
        value,
        _words(raw.get("keywords"), where),
        _regex(raw.get("regex"), where),
        _names(raw.get("channels"), f"{where}.channels"),
        _names(raw.get("categories"), f"{where}.categories"),
        _vip(raw.get("vip"), where),
    )


def _names(raw: Any, where: str) -> frozenset[str]:
    if raw is None:
        return frozenset()
    if not isinstance(raw, list) or not all(isinstance(x, str) and x for x in raw):
        raise RulesError(f"{where}: a list of names")
    return frozenset(raw)


def _words(raw: Any, where: str) -> re.Pattern[str] | None:
    words = _names(raw, f"{where}.keywords")
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _regex(raw: Any, where: str) -> re.Pattern[str] | None:
    if raw is None:
        return None
    try:
        return re.compile(raw, re.IGNORECASE) if isinstance(raw, str) and raw else None
    except re.error as exc:
        raise RulesError(f"{where}.regex: {exc}") from exc


def _vip(raw: Any, where: str) -> bool | None:
    if raw is not None and not isinstance(raw, bool):
        raise RulesError(f"{where}.vip: true or false")
    return raw


def first_match(
    rules: tuple[Rule, ...], text: str, channel: str, category: str | None, vip: bool
) -> tuple[Rule, str] | None:
    for rule in rules:
        why = rule.match(text, channel, category, vip)
        if why is not None:
            return rule, why
    return None
