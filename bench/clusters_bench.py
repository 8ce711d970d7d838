"""make bench-clusters: repeated-issue clustering quality on CLINC150 (issue 27, item 2).
Writes bench/results/clusters.json; bench/insights.md reads it.

Clustered: the test split's 4,500 in-scope utterances (150 intents × 30), with the true K
(150) and with K estimated by ``insights.clusters.estimate`` (silhouette over a K grid). NMI,
ARI and Hungarian accuracy against the intents. Incremental assignment: the fitted model
assigns the train+val in-scope utterances (18,000, unseen) on one thread; messages/s, the
model's pickled size and the 4-byte cluster id kept per message give memory per 1,000,000.
"New": the share of the 1,000 out-of-scope test queries (``oos_test``) assigned to no cluster
beside the share of the unseen in-scope ones. ``$HOTLINE_CORPORA`` points at the corpora.
"""

from __future__ import annotations

import json
import os
import pickle
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from bench.common import write_result
from insights.clusters.labels import describe
from insights.clusters.metrics import scores
from insights.clusters.model import NEW, ClusterModel, fit

CORPORA = Path(os.environ.get("HOTLINE_CORPORA", Path(__file__).parents[2] / "shared/corpora"))
FILE = "clinc150/data/data_full.json"
KMEANS_BASELINE = {"nmi": 0.7105, "ari": 0.2772, "acc": 0.4576}  # issue 27's figures to beat


def load() -> dict[str, list[list[str]]]:
    data: dict[str, list[list[str]]] = json.loads((CORPORA / FILE).read_text())
    return data


def quality(
    texts: list[str], truth: np.ndarray[Any, Any], k: int | None
) -> tuple[ClusterModel, dict[str, Any]]:
    t0 = time.perf_counter()
    model = fit(texts, k=k)
    found = {name: round(v, 4) for name, v in scores(truth, model.labels).items()}
    result: dict[str, Any] = {"k": int(model.centroids.shape[0]), **found}
    result["seconds"] = round(time.perf_counter() - t0, 1)
    if model.estimate:
        result["silhouettes"] = {str(k): round(s, 4) for k, s in model.estimate.silhouettes.items()}
    return model, result


def assignment(model: ClusterModel, unseen: list[str], oos: list[str]) -> dict[str, Any]:
    with threadpool_limits(1):
        t0 = time.perf_counter()
        found = model.assign(unseen)
        rate = len(unseen) / (time.perf_counter() - t0)
    size = len(pickle.dumps((model.embedder, model.centroids, model.threshold)))
    return {"messages": len(unseen), "per_second_one_thread": round(rate),
            "model_bytes": size, "bytes_per_million": size + 4 * 1_000_000,
            "threshold": round(model.threshold, 4),
            "new_share_in_scope": round(float(np.mean(found == NEW)), 4),
            "new_share_out_of_scope": round(float(np.mean(model.assign(oos) == NEW)), 4),
            }  # fmt: skip


def main() -> None:
    data = load()
    texts = [t for t, _ in data["test"]]
    truth = np.unique([label for _, label in data["test"]], return_inverse=True)[1]
    unseen = [t for t, _ in data["train"] + data["val"]]
    oos = [t for t, _ in data["oos_test"]]
    results: dict[str, Any] = {"split": "test, in-scope", "messages": len(texts)}
    for name, k in (("true_k", 150), ("estimated_k", None)):
        model, results[name] = quality(texts, truth, k)
        print(name, {k: v for k, v in results[name].items() if k != "silhouettes"}, flush=True)
    results["assignment"] = assignment(model, unseen, oos)
    print(results["assignment"], flush=True)
    results["labels_largest"] = [asdict(label) for label in describe(model, texts)[:10]]
    write_result("clusters", {"corpus": FILE, "baseline_kmeans_issue": KMEANS_BASELINE,
                              "loadavg": os.getloadavg(), **results})  # fmt: skip


if __name__ == "__main__":
    main()
