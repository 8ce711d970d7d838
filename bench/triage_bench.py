"""make bench-triage: triage's quality and cost (issue 26, section 3). Writes
bench/results/triage.json; bench/triage.md reads it.

- Category classifier (``unifier.service.classifier``, the product's pipeline as trained per
  tenant): accuracy and macro-F1 on CLINC150 (its own train/test split: 15,000 / 4,500 queries of
  150 intents; the out-of-scope queries left out; BENCH_TRIAGE_FULL=1 adds them as a class) and
  on the categories of the service-desk log in contact-volume (one incident = one example: the
  fields known when it was opened as tokens, the log has no message text; label = the category
  it was closed with; time-ordered split, the first 80% of incidents by opened_at train, the
  last 20% test).
- Language detectors (``bench.language_bench``): fastText lid.176 (the product's), lingua (high
  and low accuracy) and py3langid, on bench/language_samples.tsv (short support messages, 10
  languages), the reply-quotes corpus' replies and short language-less texts: accuracy, what
  would be applied, microseconds per message, the GIL.
- Cost per message of the whole triage of a consumer batch (5,000 messages: language, model,
  rules), as the consumer runs it.

``$HOTLINE_CORPORA`` points at the corpora (default ../shared/corpora).
"""

from __future__ import annotations

import csv
import io
import json
import os
import time
import zipfile
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sklearn.metrics import accuracy_score, f1_score

from bench.common import write_result
from bench.language_bench import languages
from unifier.service import classifier

CORPORA = Path(os.environ.get("HOTLINE_CORPORA", Path(__file__).parents[2] / "shared/corpora"))
ARRIVAL_FIELDS = ("contact_type", "location", "u_symptom", "impact", "urgency", "caller_id",
                  "opened_by")  # fmt: skip


def scores(
    train: Sequence[tuple[str, str]], test: Sequence[tuple[str, str]], chars: bool = True
) -> dict[str, Any]:
    return scored(train, test, chars)[0]


def scored(
    train: Sequence[tuple[str, str]], test: Sequence[tuple[str, str]], chars: bool = True
) -> tuple[dict[str, Any], Any]:
    """The scores, and the fitted model."""
    t0 = time.perf_counter()
    model = classifier.pipeline(chars).fit([t for t, _ in train], [c for _, c in train])
    trained = time.perf_counter() - t0
    t0 = time.perf_counter()
    predicted = model.predict([t for t, _ in test])
    per_message = (time.perf_counter() - t0) / len(test)
    truth = [c for _, c in test]
    majority = Counter(c for _, c in train).most_common(1)[0][0]
    return {
        "train": len(train),
        "test": len(test),
        "classes": len({c for _, c in train}),
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(float(f1_score(truth, predicted, average="macro")), 4),
        "majority_baseline_accuracy": round(sum(c == majority for c in truth) / len(truth), 4),
        "train_s": round(trained, 2),
        "predict_us_per_message": round(per_message * 1e6, 1),
    }, model


def clinc150() -> tuple[dict[str, Any], Any]:
    """The scores (BENCH_TRIAGE_FULL=1: also words only, and out-of-scope as a class), and the
    in-scope model (the cost benchmark's)."""
    data = json.loads((CORPORA / "clinc150/data/data_full.json").read_text())
    pairs = {k: [(t, c) for t, c in v] for k, v in data.items()}
    in_scope, model = scored(pairs["train"], pairs["test"])
    split = "CLINC150 data_full: train 15,000 / test 4,500 (150 intents)"
    out = {"split": split, "in_scope": in_scope}
    if os.environ.get("BENCH_TRIAGE_FULL"):
        out["in_scope_words_only"] = scores(pairs["train"], pairs["test"], chars=False)
        train, test = pairs["train"] + pairs["oos_train"], pairs["test"] + pairs["oos_test"]
        out["with_out_of_scope_as_a_class"] = scores(train, test)
    return out, model


def incidents() -> list[dict[str, str]]:
    """One row per incident: its first event (as opened), with the category it ended with."""
    path = CORPORA / "contact-volume/incident_event_log.csv.zip"
    first: dict[str, dict[str, str]] = {}
    last: dict[str, str] = {}
    with zipfile.ZipFile(path) as z, z.open("incident_event_log.csv") as raw:
        for row in csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")):
            first.setdefault(row["number"], row)
            last[row["number"]] = row["category"]
    out = [{**row, "category": last[n]} for n, row in first.items() if last[n] != "?"]
    return sorted(out, key=lambda r: (datetime.strptime(r["opened_at"], "%d/%m/%Y %H:%M"),
                                      r["number"]))  # fmt: skip


def as_text(row: dict[str, str]) -> str:
    return " ".join(f"{f}_{row[f]}".replace(" ", "_") for f in ARRIVAL_FIELDS if row[f] != "?")


def service_desk() -> dict[str, Any]:
    rows = incidents()
    cut = int(len(rows) * 0.8)
    examples = [(as_text(r), r["category"]) for r in rows]
    result = scores(examples[:cut], examples[cut:])
    split = "time-ordered by opened_at: first 80% of incidents train, last 20% test"
    return {"split": split, "features": list(ARRIVAL_FIELDS), **result}


def main() -> None:
    from bench.triage_cost import per_message_cost
    from unifier.service.classifier import CategoryModel

    clinc, model = clinc150()
    results: dict[str, object] = {
        "loadavg_1m_start": os.getloadavg()[0],
        "clinc150": clinc,
        "service_desk": service_desk(),
        "languages": languages(),
        "batch_cost": per_message_cost(CategoryModel("model:clinc150/v1", model)),
        "loadavg_1m_end": os.getloadavg()[0],
    }
    print(json.dumps(results, indent=2)[:4000], flush=True)
    print(write_result("triage", results))


if __name__ == "__main__":
    main()
