"""Text → dense unit vectors: TF-IDF over words (1-2 grams) and characters (2-5 grams within
words, robust to typos and inflections), reduced by LSA (truncated SVD) and L2-normalised so a
dot product is a cosine similarity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

Matrix = npt.NDArray[np.float32]


@dataclass
class Embedder:
    """Fitted once on a batch of messages; then transforms any message without refitting."""

    dims: int = 300
    seed: int = 0
    words: TfidfVectorizer = field(init=False)
    chars: TfidfVectorizer = field(init=False)
    svd: TruncatedSVD = field(init=False)

    def __post_init__(self) -> None:
        self.words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        self.chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2
        )
        self.svd = TruncatedSVD(self.dims, random_state=self.seed)

    def fit_transform(self, texts: Sequence[str]) -> Matrix:
        self.svd.n_components = min(self.dims, len(texts) - 1)
        tfidf = sp.hstack([self.words.fit_transform(texts), self.chars.fit_transform(texts)])
        return unit(self.svd.fit_transform(tfidf.tocsr()))

    def transform(self, texts: Sequence[str]) -> Matrix:
        tfidf = sp.hstack([self.words.transform(texts), self.chars.transform(texts)])
        return unit(self.svd.transform(tfidf.tocsr()))


def unit(rows: npt.NDArray[np.float64]) -> Matrix:
    return np.asarray(normalize(rows), dtype=np.float32)
