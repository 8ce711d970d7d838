"""The language detectors compared for triage (part of make bench-triage; bench/triage.md).

Each detector answers a language and whether it is sure (its confidence at or above 0.5, the
product's default ``TRIAGE_LANGUAGE_CONFIDENCE``), restricted to the product's 13 default
candidates, on the three sets of ``bench.language_corpus``. Per set: the texts in a candidate
language (accuracy of the answer; how many were applied, i.e. sure, right and wrong) and the
others (in another language or in none: how many were applied, which is wrong). Then the cost
per message, and what detection on a worker thread leaves to the event loop's thread (the GIL):
the share of its pure-Python work it gets done beside each detector (2 cores), and whether
fastText's predict lets it run at all.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from bench.language_corpus import UNSURE, replies, samples
from unifier.service.language import DEFAULT_LANGUAGES, LanguageDetector

Answer = tuple[str | None, bool]  # language, sure
Detect = Callable[[list[str]], list[Answer]]
SURE = 0.5


def fasttext_detector() -> Detect:
    detector = LanguageDetector(DEFAULT_LANGUAGES, SURE)
    return lambda xs: [
        (g.language, g.confident) if g else (None, False) for g in detector.detect(xs)
    ]


def lingua_detector(low: bool) -> Detect:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    langs = [
        Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in DEFAULT_LANGUAGES
    ]
    built = LanguageDetectorBuilder.from_languages(*langs)
    d = (built.with_low_accuracy_mode() if low else built).build()

    def run(xs: list[str]) -> list[Answer]:
        out: list[Answer] = []
        for values in d.compute_language_confidence_values_in_parallel(xs):
            top = values[0] if values and values[0].value > 0 else None
            code = top.language.iso_code_639_1.name.lower() if top else None
            out.append((code, top is not None and top.value >= SURE))
        return out

    return run


def py3langid_detector() -> Detect:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(DEFAULT_LANGUAGES))

    def run(xs: list[str]) -> list[Answer]:
        return [(lang, float(p) >= SURE) for lang, p in (ident.classify(x) for x in xs)]

    return run


def scored(detect: Detect, rows: Sequence[tuple[str, str]]) -> dict[str, Any]:
    texts = [t for _, t in rows]
    found = detect(texts)
    ours = [(g, a, t) for (g, t), a in zip(rows, found, strict=True) if g in DEFAULT_LANGUAGES]
    other = [(g, a, t) for (g, t), a in zip(rows, found, strict=True) if g not in DEFAULT_LANGUAGES]
    right = sum(a[0] == g for g, a, _ in ours)
    return {
        "in_candidates": len(ours),
        "accuracy": round(right / len(ours), 4) if ours else None,
        "applied_right": sum(a[0] == g and a[1] for g, a, _ in ours),
        "applied_wrong": [(t[:40], g, a[0]) for g, a, t in ours if a[0] != g and a[1]],
        "missed": [(t[:40], g, a[0]) for g, a, t in ours if a[0] != g and not a[1]],
        "others": len(other),
        "others_applied": [(t[:40], g, a[0]) for g, a, t in other if a[1]],
        "us_per_message": _cost(detect, texts),
    }


def _cost(detect: Detect, texts: list[str], rounds: int = 20) -> float:
    t0 = time.perf_counter()
    for _ in range(rounds):
        detect(texts)
    return round((time.perf_counter() - t0) / (rounds * len(texts)) * 1e6, 1)


def loop_share(detect: Detect | None, texts: list[str], seconds: float = 2.0) -> float:
    """Pure-Python work the calling thread gets done in ``seconds`` while a worker thread
    detects ``texts`` over and over (None: no worker), in millions of loop steps."""
    stop = threading.Event()

    def work() -> None:
        while detect is not None and not stop.is_set():
            detect(texts)

    worker = threading.Thread(target=work)
    worker.start()
    steps, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        for _ in range(10_000):
            steps += 1
    stop.set()
    worker.join()
    return round(steps / 1e6, 2)


def gil_during_one_call() -> dict[str, float]:
    """Whether fastText holds the GIL while it predicts: the calling thread's loop steps
    during one long predict on a worker thread, against during a sleep as long."""
    detector = LanguageDetector()
    text = "Bonjour, ma commande n'est pas arrivée et je voudrais un remboursement. " * 20_000
    t0 = time.perf_counter()
    detector.ranked(text)
    call = time.perf_counter() - t0
    return {"call_ms": round(call * 1e3, 1),
            "steps_during_sleep": _steps_during(lambda: time.sleep(call)),
            "steps_during_predict": _steps_during(lambda: detector.ranked(text))}  # fmt: skip


def _steps_during(work: Callable[[], object]) -> int:
    done = threading.Event()

    def run() -> None:
        work()
        done.set()

    worker = threading.Thread(target=run)
    steps = 0
    worker.start()
    while not done.is_set():
        steps += 1
    worker.join()
    return steps


def languages() -> dict[str, Any]:
    sets = {"samples": samples(), "replies": replies(), "unsure": [("-", t) for t in UNSURE]}
    detectors: dict[str, Detect] = {
        "fasttext_lid176": fasttext_detector(),
        "lingua_high": lingua_detector(low=False),
        "lingua_low": lingua_detector(low=True),
        "py3langid": py3langid_detector(),
    }
    out: dict[str, Any] = {"candidates": list(DEFAULT_LANGUAGES), "sure_at": SURE,
                           "sizes": {k: len(v) for k, v in sets.items()}}  # fmt: skip
    texts = [t for _, t in sets["samples"]]
    for name, detect in detectors.items():
        detect(texts)  # models load on first use
        out[name] = {k: scored(detect, rows) for k, rows in sets.items()}
    alone = loop_share(None, texts)
    out["event_loop_thread"] = {"alone_msteps": alone} | {
        f"beside_{name}": round(loop_share(d, texts) / alone, 2) for name, d in detectors.items()
    }
    out["fasttext_gil"] = gil_during_one_call()
    return out
