"""Triage's cost per message, as the consumer pays it for one batch of 5,000 customer messages:
the worker-thread part (language of every message, the category model on the batch's matrix)
and the decided batch's rules (``triage_plan``). The texts: the drain benchmark's, and the
short multilingual support messages of bench/language_samples.tsv."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import msgspec

from bench.unifier_bench import message
from hotline import events as ev
from unifier.domain.rules import RuleSet
from unifier.domain.triage import TriageInputs, triage_plan
from unifier.domain.triage_rules import parse_rules
from unifier.domain.unify import unify
from unifier.domain.working import WorkingSet
from unifier.service.classifier import CategoryModel
from unifier.service.language import LanguageDetector
from unifier.service.triage import Triage

N = 5000
CORPORA = Path(os.environ.get("HOTLINE_CORPORA", Path(__file__).parents[2] / "shared/corpora"))
RULES = {
    "category": [{"id": "refunds", "category": "billing", "keywords": ["refund", "invoice"]}],
    "priority": [{"id": "outage", "priority": "high", "regex": r"\b(down|outage)\b"}],
}


def batch() -> list[ev.MessageReceived]:
    samples = [line.split("\t", 1)[1] for line in
               Path(__file__).with_name("language_samples.tsv").read_text().splitlines()
               if line and not line.startswith("#")]  # fmt: skip
    out = []
    for i in range(N):
        sender = ev.Sender(handle=f"p{i % 600}@example.test")
        m = message("bench", "whatsapp", i, sender)
        text = samples[i % len(samples)] if i % 2 else f"message {i}: my order has not arrived yet"
        out.append(msgspec.structs.replace(m, content=ev.TextContent(text=text)))
    return out


def per_message_cost(cat: CategoryModel) -> dict[str, Any]:
    """``cat``: a trained model (the bench's CLINC150 one)."""
    events, rules = batch(), parse_rules(RULES)
    out: dict[str, Any] = {"messages": N, "model": "CLINC150 train (150 classes)"}
    triage = Triage(LanguageDetector())
    triage.work(rules, cat, events[:200])  # warm up (the model's first matrix, the detector)
    t0 = time.perf_counter()
    prepared = triage.work(rules, cat, events)
    work = time.perf_counter() - t0
    t0 = time.perf_counter()
    triage.detector.guesses(events)
    language = time.perf_counter() - t0
    out["fasttext_lid176"] = {"worker_us": _us(work), "language_us": _us(language),
                              "model_us": _us(work - language)}  # fmt: skip
    ws = WorkingSet("bench")
    plan = unify(ws, [(e, b"") for e in events], RuleSet())
    ws.languages = prepared.languages
    inputs = TriageInputs(rules, prepared.inputs.predictions, prepared.inputs.texts)
    t0 = time.perf_counter()
    triage_plan(ws, plan, inputs)
    out["rules_us"] = _us(time.perf_counter() - t0)
    out["records"] = sum(len(m.triage) for m in plan.messages)
    return out


def _us(seconds: float) -> float:
    return round(seconds / N * 1e6, 1)
