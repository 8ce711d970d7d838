"""Clustering quality against true labels: NMI, ARI and accuracy under the best one-to-one
matching of clusters to labels (Hungarian algorithm); unmatched clusters count as errors."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

Labels = npt.NDArray[np.int64]


def hungarian_accuracy(truth: Labels, found: Labels) -> float:
    """Share of items whose cluster is matched to their label, the matching chosen to maximise
    that share (each cluster to at most one label and vice versa)."""
    counts = np.zeros((found.max() + 1, truth.max() + 1), dtype=np.int64)
    np.add.at(counts, (found, truth), 1)
    rows, cols = linear_sum_assignment(counts, maximize=True)
    return float(counts[rows, cols].sum() / len(truth))


def scores(truth: Labels, found: Labels) -> dict[str, float]:
    return {
        "nmi": float(normalized_mutual_info_score(truth, found)),
        "ari": float(adjusted_rand_score(truth, found)),
        "acc": hungarian_accuracy(truth, found),
    }
