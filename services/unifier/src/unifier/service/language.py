"""Language detection for triage: lingua (``lingua-language-detector``), restricted to the
languages a tenant base writes in (fewer candidates: faster and fewer confusions).

One call per consumer batch: lingua scores the batch's texts on its own threads (Rust, without
the GIL), so the handler runs it beside the working set's load. A detector error never fails
ingestion: the batch gets no guesses and a log line. bench/triage.md has the comparison with
py3langid and the cost per message.

Loading lingua's models is another matter: it holds the GIL for seconds (2 to 6 here, more on a
loaded host), so a load at the first message would freeze the whole process (every request,
the assigner, the SLA scheduler) inside the consumer's transaction. The unifier loads them at
start instead (``preload``); they are shared by every detector of the process.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from importlib.metadata import version

from lingua import ConfidenceValue, IsoCode639_1, Language, LanguageDetectorBuilder

from hotline import events as ev
from unifier.domain.triage import LanguageGuess, triage_text

log = logging.getLogger(__name__)
DEFAULT_LANGUAGES = ("en", "fr", "de", "es", "it", "pt", "nl", "zh", "ar", "ru", "ja", "tr", "pl")


def lingua_language(code: str) -> Language:
    """``code``: ISO 639-1 ("fr"); a ValueError names a code lingua does not know."""
    try:
        return Language.from_iso_code_639_1(getattr(IsoCode639_1, code.strip().upper()))
    except (AttributeError, ValueError) as exc:
        raise ValueError(f"unknown language code {code!r} (ISO 639-1, e.g. fr)") from exc


class LanguageDetector:
    def __init__(
        self,
        languages: Sequence[str] = DEFAULT_LANGUAGES,
        min_confidence: float = 0.5,
        low_accuracy: bool = False,
        *,
        preload: bool = False,
    ) -> None:
        """``preload``: load the candidates' models now (seconds, once per process) rather than
        at the first detection."""
        candidates = [lingua_language(c) for c in languages]
        builder = LanguageDetectorBuilder.from_languages(*candidates)
        if low_accuracy:
            builder = builder.with_low_accuracy_mode()
        if preload:
            builder = builder.with_preloaded_language_models()
        self._lingua = builder.build()
        mode = "low" if low_accuracy else "high"
        self.source = f"lingua-{version('lingua-language-detector')}/{mode}/{len(candidates)}"
        self.min_confidence = min_confidence

    def detect(self, texts: Sequence[str]) -> list[LanguageGuess | None]:
        """A guess per text (None for an empty one), in order; never raises."""
        todo = [i for i, t in enumerate(texts) if t]
        out: list[LanguageGuess | None] = [None] * len(texts)
        try:
            ranked = self._lingua.compute_language_confidence_values_in_parallel(
                [texts[i] for i in todo]
            )
        except Exception as exc:  # a detector bug must not stop the inbound stream
            log.error("language detection failed", extra={"error": repr(exc)})
            return out
        for i, values in zip(todo, ranked, strict=True):
            out[i] = self._guess(values)
        return out

    def guesses(self, events: Sequence[ev.MessageReceived]) -> dict[str, LanguageGuess]:
        """The batch's guesses by event id (messages without words have none)."""
        found = self.detect([triage_text(e.content) for e in events])
        return {e.event_id: g for e, g in zip(events, found, strict=True) if g is not None}

    def _guess(self, values: list[ConfidenceValue]) -> LanguageGuess | None:
        if not values or values[0].value <= 0:
            return None
        top = values[0]
        second = f"; next {_code(values[1])} {values[1].value:.2f}" if len(values) > 1 else ""
        return LanguageGuess(
            language=_code(top),
            confidence=round(top.value, 3),
            confident=top.value >= self.min_confidence,
            source=self.source,
            evidence=f"{_code(top)} {top.value:.2f} of {len(values)} candidates{second}",
        )


def _code(value: ConfidenceValue) -> str:
    return value.language.iso_code_639_1.name.lower()
