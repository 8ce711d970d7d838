"""Readable clusters: each cluster's key phrases (the top word/bigram TF-IDF terms of its
members' mean TF-IDF vector), its size and a few example messages (those nearest its
centroid), as data for the page that shows them. Terms made only of stop words ("my", "for
the") are skipped: they weigh much but name nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

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
        top = key_phrases(terms, weights, phrases)
        closest = members[np.argsort(-nearness[members])[:examples]]
        found.append(
            ClusterLabel(int(cluster), len(members), top, tuple(texts[i] for i in closest))
        )
    return sorted(found, key=lambda label: (-label.size, label.cluster))


def key_phrases(
    terms: npt.NDArray[np.str_], weights: npt.NDArray[np.float64], n: int
) -> tuple[str, ...]:
    ranked = (str(terms[i]) for i in np.argsort(-weights) if weights[i] > 0)
    named = (t for t in ranked if not set(t.split()) <= ENGLISH_STOP_WORDS)
    return tuple(t for _, t in zip(range(n), named, strict=False))
