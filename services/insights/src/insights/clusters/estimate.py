"""How many clusters: k-means at each K of a geometric grid, the K with the best mean
silhouette (cosine) wins. No K is fixed by hand; the grid spans 2 to a tenth of the messages."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

from insights.clusters.metrics import Labels
from insights.clusters.vectors import Matrix


@dataclass(frozen=True)
class Estimate:
    k: int
    silhouettes: dict[int, float]  # K tried: its mean silhouette


def k_grid(n: int, steps: int = 16, low: int = 2) -> list[int]:
    high = max(low + 1, n // 10)
    return sorted({int(k) for k in np.rint(np.geomspace(low, high, steps))})


def kmeans(vectors: Matrix, k: int, seed: int = 0, starts: int = 3) -> Labels:
    model = KMeans(k, n_init=starts, random_state=seed).fit(vectors)
    return np.asarray(model.labels_, dtype=np.int64)


def estimate_k(vectors: Matrix, ks: list[int] | None = None, seed: int = 0) -> Estimate:
    grid = ks or k_grid(len(vectors))
    found = {k: kmeans(vectors, k, seed, starts=1) for k in grid}
    scores = {k: float(silhouette_score(vectors, p, metric="cosine")) for k, p in found.items()}
    return Estimate(max(scores, key=lambda k: scores[k]), scores)
