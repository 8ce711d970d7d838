"""A tenant's category classifier: TF-IDF of words and character n-grams, then a linear model
(logistic regression, for a probability per category), trained on the categories agents gave
conversations and stored versioned (pickled) in ``triage_models``.

Prediction runs on the whole consumer batch at once (one sparse matrix). bench/triage.md has its
accuracy and macro-F1 on CLINC150 and the service-desk log, and its cost per message.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from unifier.domain.triage import Prediction

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

MIN_EXAMPLES = 10  # fewer labelled conversations (or one category only) train no model


def pipeline(chars: bool = True) -> Pipeline:
    """``chars``: character n-grams beside the words (typos, inflections; slower to predict).
    scikit-learn (and SciPy under it) is imported here, on first training: a second of CPU at
    every unifier start otherwise, though most tenants have no model (unpickling one imports it
    as well)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    parts = [("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1))]
    if chars:
        parts.append(
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True))
        )
    features = FeatureUnion(parts)
    return Pipeline([("tfidf", features), ("linear", LogisticRegression(C=10, max_iter=1000))])


def trainable(labels: Sequence[str]) -> bool:
    return len(labels) >= MIN_EXAMPLES and len(set(labels)) >= 2


def train(texts: Sequence[str], labels: Sequence[str]) -> bytes:
    """The fitted pipeline, pickled (``trainable`` first)."""
    model = pipeline().fit(list(texts), list(labels))
    return pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)


@dataclass
class CategoryModel:
    source: str  # "model:<tenant>/v<version>"
    model: Any  # the fitted Pipeline

    @classmethod
    def load(cls, source: str, blob: bytes) -> CategoryModel:
        return cls(source, pickle.loads(blob))  # our own table's bytes, written by train()

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """The best category of each text, with its probability and the runner-up."""
        if not texts:
            return []
        classes = self.model.classes_
        out = []
        for row in self.model.predict_proba(list(texts)):
            best, second = row.argsort()[::-1][:2]
            evidence = f"{classes[best]} {row[best]:.2f}; next {classes[second]} {row[second]:.2f}"
            out.append(
                Prediction(str(classes[best]), round(float(row[best]), 3), self.source, evidence)
            )
        return out
