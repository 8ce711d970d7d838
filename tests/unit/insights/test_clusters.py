"""The clustering core: the metrics on hand-worked cases, K estimated on a synthetic set of
known topics, labels, and incremental assignment (including "new")."""

from __future__ import annotations

import random

import numpy as np
import pytest

from insights.clusters.labels import describe, key_phrases
from insights.clusters.metrics import hungarian_accuracy, scores
from insights.clusters.model import NEW, ClusterModel, fit

TOPICS = {
    "refund": "refund money back charged twice return reimburse",
    "password": "password reset login locked account forgot",
    "delivery": "delivery parcel late courier tracking shipped",
    "invoice": "invoice billing address vat receipt pdf",
}
FILLER = ["please", "hello", "my", "the", "thanks", "urgent"]


def messages(per_topic: int = 20, seed: int = 7) -> tuple[list[str], list[int]]:
    rng = random.Random(seed)
    texts, truth = [], []
    for label, words in enumerate(TOPICS.values()):
        for _ in range(per_topic):
            texts.append(" ".join(rng.sample(words.split(), 4) + rng.sample(FILLER, 2)))
            truth.append(label)
    return texts, truth


@pytest.fixture(scope="module")
def fitted() -> tuple[ClusterModel, list[str], list[int]]:
    texts, truth = messages()
    return fit(texts, dims=20), texts, truth


def test_hungarian_accuracy_by_hand() -> None:
    truth = np.array([0, 0, 1, 1, 2, 2])
    # clusters 1→label 0 (2 items), 0→label 1 (2 of its 3), 2→label 2 (1): 5 of 6 matched
    assert hungarian_accuracy(truth, np.array([1, 1, 0, 0, 0, 2])) == pytest.approx(5 / 6)
    # one cluster for all: it matches one label only, 2 of 6
    assert hungarian_accuracy(truth, np.zeros(6, dtype=np.int64)) == pytest.approx(2 / 6)


def test_scores_of_a_relabelled_perfect_clustering() -> None:
    truth = np.array([0, 0, 1, 1, 2, 2])
    assert scores(truth, np.array([2, 2, 0, 0, 1, 1])) == pytest.approx(
        {"nmi": 1.0, "ari": 1.0, "acc": 1.0}
    )


def test_k_is_estimated_and_the_topics_recovered(
    fitted: tuple[ClusterModel, list[str], list[int]],
) -> None:
    model, _, truth = fitted
    assert model.estimate is not None and model.estimate.k == len(TOPICS)
    assert len(model.estimate.silhouettes) > 3  # a range was searched, not one K
    assert scores(np.array(truth), model.labels)["acc"] == 1.0


def test_labels_name_each_topic(fitted: tuple[ClusterModel, list[str], list[int]]) -> None:
    model, texts, _ = fitted
    labels = describe(model, texts, phrases=3)
    assert [label.size for label in labels] == [20] * len(TOPICS)
    for label in labels:
        topic = next(w for w in TOPICS.values() if label.phrases[0] in w.split())
        assert all(set(example.split()) & set(topic.split()) for example in label.examples)


def test_new_messages_join_their_topic_or_are_new(
    fitted: tuple[ClusterModel, list[str], list[int]],
) -> None:
    model, _, truth = fitted
    refund = model.labels[truth.index(0)]
    found = model.assign(
        ["i was charged twice, please refund", "zebra xylophone quantum", "sunny weather today"]
    )
    assert found.tolist() == [refund, NEW, NEW]


def test_key_phrases_skip_stop_words_only_terms() -> None:
    terms = np.array(["my", "my bank", "for the", "bank", "locked"])
    weights = np.array([0.9, 0.8, 0.7, 0.6, 0.0])
    assert key_phrases(terms, weights, 3) == ("my bank", "bank")
