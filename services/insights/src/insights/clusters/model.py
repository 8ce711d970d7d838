"""A fitted cluster model: the embedder, one unit centroid per cluster and a "new issue"
threshold. Assigning a message is one transform and one matrix product; nothing per message
is kept but the cluster id the caller stores (4 bytes)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from insights.clusters.estimate import Estimate, estimate_k, kmeans
from insights.clusters.metrics import Labels
from insights.clusters.vectors import Embedder, Matrix, unit

NEW = -1  # assigned to no cluster: too far from every centroid


@dataclass
class ClusterModel:
    embedder: Embedder
    centroids: Matrix  # k × dims, unit rows
    threshold: float  # cosine to the nearest centroid below which a message is "new"
    labels: Labels  # the fitted messages' clusters
    estimate: Estimate | None  # how K was chosen (None when given)

    def nearest(self, vectors: Matrix) -> tuple[Labels, Matrix]:
        sims = vectors @ self.centroids.T
        best = np.asarray(sims.argmax(axis=1), dtype=np.int64)
        return best, sims[np.arange(len(best)), best]

    def assign(self, texts: Sequence[str]) -> Labels:
        best, sim = self.nearest(self.embedder.transform(texts))
        return np.where(sim >= self.threshold, best, NEW)


def fit(
    texts: Sequence[str], k: int | None = None, dims: int = 300, far: float = 0.02
) -> ClusterModel:
    """Cluster ``texts`` (K estimated unless given). ``far``: the share of the fitted messages
    that would count as new, i.e. the threshold is that quantile of their own similarities."""
    embedder = Embedder(dims)
    vectors = embedder.fit_transform(texts)
    estimate = None if k else estimate_k(vectors)
    labels = kmeans(vectors, estimate.k if estimate else k or 1)
    centroids = centroids_of(vectors, labels)
    sims = np.einsum("ij,ij->i", vectors, centroids[labels])
    return ClusterModel(embedder, centroids, float(np.quantile(sims, far)), labels, estimate)


def centroids_of(vectors: Matrix, labels: Labels) -> Matrix:
    sums = np.zeros((labels.max() + 1, vectors.shape[1]), dtype=np.float64)
    np.add.at(sums, labels, vectors)
    return unit(sums)
