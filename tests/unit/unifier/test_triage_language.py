"""Triage's language: what is detected, what a guess sets, and a detector failure sets nothing."""

from __future__ import annotations

import pytest

from hotline import events as ev
from hotline import unified as un
from tests.unit.unifier.factory import ident, message
from unifier.domain.rules import RuleSet
from unifier.domain.triage import LanguageGuess, thread_language, triage_text
from unifier.domain.unify import unify
from unifier.domain.working import WorkingSet
from unifier.service.language import LanguageDetector, lingua_language


def guess(language: str, confidence: float, confident: bool = True) -> LanguageGuess:
    return LanguageGuess(language, confidence, confident, "test", f"{language} {confidence}")


def test_the_text_triaged_is_the_customers_own_words() -> None:
    mail = ev.EmailContent(subject="Commande", text="quoted\n> old", visible_text="pas arrivée")
    assert triage_text(mail) == "Commande\npas arrivée"
    assert triage_text(ev.MediaContent(media_kind="image", caption="")) == ""
    assert triage_text(ev.LocationContent(latitude=1, longitude=2, name="Gare")) == ""
    assert len(triage_text(ev.TextContent(text="a" * 5000))) == 1000


def test_only_a_confident_customer_guess_sets_the_thread() -> None:
    assert thread_language("customer", guess("fr", 0.9)) == "fr"
    assert thread_language("customer", guess("pl", 0.3, confident=False)) is None
    assert thread_language("agent", guess("en", 0.9)) is None
    assert thread_language("customer", None) is None


def test_unify_stamps_the_guess_on_the_row_the_event_and_the_thread() -> None:
    wa = [ident("wa_id", "336")]
    first = message("w1", "whatsapp", handle="+336", ids=wa, text="Bonjour")
    second = message("w2", "whatsapp", handle="+336", ids=wa, text="ok")
    ws = WorkingSet("acme")
    ws.languages = {first.event_id: guess("fr", 0.9), second.event_id: guess("pl", 0.3, False)}
    plan = unify(ws, [(first, b""), (second, b"")], RuleSet())
    assert [m.language for m in plan.messages] == ["fr", None]
    added = [e for e in plan.outbox if isinstance(e, un.ConversationMessageAdded)]
    assert [e.language for e in added] == ["fr", None]
    assert {ws.threads[m.thread_id].language for m in plan.messages} == {"fr"}


def test_the_detector_ranks_the_configured_languages() -> None:
    detector = LanguageDetector(["en", "fr", "de"], min_confidence=0.5)
    found = detector.detect(["Bonjour, ma commande n'est pas arrivée", "", "ok"])
    assert found[0] is not None and (found[0].language, found[0].confident) == ("fr", True)
    assert found[0].source.startswith("lingua-") and "next" in found[0].evidence
    assert found[1] is None


def test_a_detector_failure_gives_no_guesses(caplog: pytest.LogCaptureFixture) -> None:
    class Broken:
        def compute_language_confidence_values_in_parallel(self, texts: list[str]) -> None:
            raise RuntimeError("model file missing")

    detector = LanguageDetector(["en", "fr"])
    detector._lingua = Broken()  # type: ignore[assignment]
    assert detector.detect(["Bonjour"]) == [None]
    assert "language detection failed" in caplog.text


def test_an_unknown_language_code_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="xx"):
        lingua_language("xx")
