"""Readable clusters: each cluster's key phrases (the top word/bigram TF-IDF terms of its
members' mean TF-IDF vector), its size and a few example messages (those nearest its
centroid), as data for the page that shows them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from insights.clusters.model import ClusterModel


@dataclass(frozen=True)
class ClusterLabel:
    cluster: int
    size: int
    phrases: tuple[str, ...]
    examples: tuple[str, ...]


def describe(
    model: ClusterModel, texts: Sequence[str], phrases: int = 5, examples: int = 3
) -> list[ClusterLabel]:
    """Labels for the fitted ``texts`` (the messages the model was fitted on), largest first."""
    tfidf = model.embedder.words.transform(texts)
    terms = model.embedder.words.get_feature_names_out()
    nearness = np.einsum("ij,ij->i", model.embedder.transform(texts), model.centroids[model.labels])
    found = []
    for cluster in np.unique(model.labels):
        members = np.flatnonzero(model.labels == cluster)
        weights = np.asarray(tfidf[members].mean(axis=0)).ravel()
        top = [str(terms[i]) for i in np.argsort(-weights)[:phrases] if weights[i] > 0]
        closest = members[np.argsort(-nearness[members])[:examples]]
        found.append(
            ClusterLabel(int(cluster), len(members), tuple(top), tuple(texts[i] for i in closest))
        )
    return sorted(found, key=lambda label: (-label.size, label.cluster))
