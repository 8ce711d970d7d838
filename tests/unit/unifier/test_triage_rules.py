"""Triage rules: parsing (bad documents refused by name), first match, rules over the model, the
priority rules (VIP, keywords, channel, category) and what each result records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.unit.unifier.factory import ident, message
from unifier.domain.rules import RuleSet
from unifier.domain.triage import LanguageGuess, Prediction, TriageInputs, triage_plan
from unifier.domain.triage_rules import RulesError, parse_rules
from unifier.domain.unify import unify
from unifier.domain.working import Plan, WorkingSet
from unifier.service.triage_admin import rules_file

RULES = {
    "category": [
        {"id": "refunds", "category": "billing", "keywords": ["refund", "invoice"]},
        {
            "id": "wa-orders",
            "category": "orders",
            "regex": r"order\s+#?\d+",
            "channels": ["whatsapp"],
        },
    ],
    "priority": [
        {"id": "vip", "priority": "urgent", "vip": True},
        {"id": "outage", "priority": "high", "keywords": ["down", "outage"]},
        {"id": "billing", "priority": "low", "categories": ["billing"]},
    ],
    "model_confidence": 0.6,
}


def decided(*texts: str, kind: str = "whatsapp") -> tuple[WorkingSet, Plan]:
    wa = [ident("wa_id", "336")]
    events = [
        message(f"w{i}", "whatsapp", handle="+336", ids=wa, text=t) for i, t in enumerate(texts)
    ]
    ws = WorkingSet("acme")
    plan = unify(ws, [(e, b"") for e in events], RuleSet())
    return ws, plan


def inputs(
    plan: Plan, predictions: dict[int, Prediction] | None = None, vips: set[str] | None = None
) -> TriageInputs:
    texts = {m.event_id: m.text for m in plan.messages}
    by_id = {plan.messages[i].event_id: p for i, p in (predictions or {}).items()}
    return TriageInputs(parse_rules(RULES), by_id, texts, vips or set())


def aspect(plan: Plan, name: str) -> list[tuple[str | None, bool, str]]:
    records = [r for m in plan.messages for r in m.triage if r.aspect == name]
    return [(r.value, r.applied, r.source.split("@")[0]) for r in records]


def test_the_first_matching_rule_wins_and_says_why() -> None:
    ws, plan = decided("I want a REFUND for order 12")
    triage_plan(ws, plan, inputs(plan))
    assert aspect(plan, "category") == [("billing", True, "rule:refunds")]
    record = next(r for r in plan.messages[0].triage if r.aspect == "category")
    assert record.evidence == "keyword 'REFUND'" and record.confidence is None
    assert aspect(plan, "priority") == [("low", True, "rule:billing")]


def test_rules_win_over_the_model_and_the_model_needs_its_confidence() -> None:
    sure = Prediction("shipping", 0.9, "model:acme/v3", "shipping 0.90; next billing 0.05")
    unsure = Prediction("shipping", 0.4, "model:acme/v3", "shipping 0.40; next billing 0.35")
    ws, plan = decided("see my invoice", "where is my parcel", "hm")
    triage_plan(ws, plan, inputs(plan, {0: sure, 1: sure, 2: unsure}))
    assert aspect(plan, "category") == [
        ("billing", True, "rule:refunds"),
        ("shipping", True, "model:acme/v3"),
        ("shipping", False, "model:acme/v3"),
    ]
    assert ws.threads[plan.messages[0].thread_id].category == "billing"  # its first one


def test_priority_by_vip_keyword_and_default_and_the_thread_keeps_the_highest() -> None:
    ws, plan = decided("hello", "the site is down!")
    triage_plan(ws, plan, inputs(plan))
    assert aspect(plan, "priority") == [("normal", True, "default"), ("high", True, "rule:outage")]
    assert ws.threads[plan.messages[0].thread_id].priority == "high"
    ws, plan = decided("hello")
    triage_plan(ws, plan, inputs(plan, vips={plan.messages[0].contact_id}))
    assert aspect(plan, "priority") == [("urgent", True, "rule:vip")]


def test_a_channel_condition_holds_only_on_its_channel() -> None:
    rules = parse_rules(RULES)
    rule = rules.category[1]
    assert (
        rule.match("order #42 missing", "whatsapp", None, False)
        == "channel whatsapp, regex 'order #42'"
    )
    assert rule.match("order #42 missing", "email", None, False) is None


def test_the_language_guess_is_recorded_even_when_not_applied() -> None:
    ws, plan = decided("ok")
    m = plan.messages[0]
    ws.languages = {m.event_id: LanguageGuess("pl", 0.3, False, "fasttext", "pl 0.30")}
    triage_plan(ws, plan, inputs(plan))
    assert aspect(plan, "language") == [("pl", False, "fasttext")]


@pytest.mark.parametrize(
    ("doc", "error"),
    [
        ([], "JSON object"),
        ({"rules": []}, "unknown keys"),
        ({"category": [{"id": "x"}]}, r"category\[0\]: needs"),
        ({"priority": [{"id": "x", "priority": "asap"}]}, "priority must be one of"),
        ({"category": [{"id": "x", "category": "c", "regex": "("}]}, r"category\[0\].regex"),
        ({"priority": [{"id": "v", "priority": "high", "vip": "yes"}]}, "vip: true or false"),
        ({"model_confidence": 2}, "model_confidence"),
        ({"default_priority": "meh"}, "default_priority"),
    ],
)
def test_a_bad_document_is_refused_by_name(doc: object, error: str) -> None:
    with pytest.raises(RulesError, match=error):
        parse_rules(doc)


def test_the_rules_file_is_checked_per_tenant(tmp_path: Path) -> None:
    good = tmp_path / "rules.json"
    good.write_text(json.dumps({"acme": RULES, "beta": {}}))
    assert set(rules_file(good)) == {"acme", "beta"}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"acme": RULES, "beta": {"priority": [{"id": "x"}]}}))
    with pytest.raises(RulesError, match=r"tenant beta: priority\[0\]"):
        rules_file(bad)
