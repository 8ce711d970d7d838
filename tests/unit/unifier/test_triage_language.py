"""Triage's language: what is detected, what a guess sets, and a detector failure sets nothing."""

from __future__ import annotations

import pytest

from hotline import events as ev
from hotline import unified as un
from tests.unit.unifier.factory import ident, message
from unifier.domain.rules import RuleSet
from unifier.domain.triage import (
    LanguageGuess,
    TriageInputs,
    thread_language,
    triage_plan,
    triage_text,
)
from unifier.domain.unify import unify
from unifier.domain.working import WorkingSet
from unifier.service.language import LanguageDetector


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
    plan = unify(ws, [(first, b""), (second, b"")], RuleSet())
    ws.languages = {first.event_id: guess("fr", 0.9), second.event_id: guess("pl", 0.3, False)}
    triage_plan(ws, plan, TriageInputs())
    assert [m.language for m in plan.messages] == ["fr", None]
    added = [e for e in plan.outbox if isinstance(e, un.ConversationMessageAdded)]
    assert [e.language for e in added] == ["fr", None]
    assert {ws.threads[m.thread_id].language for m in plan.messages} == {"fr"}


DETECTOR = LanguageDetector()  # the default 13 candidates, sure at 0.5


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Bonjour, ma commande n'est pas arrivée", "fr"),
        ("Mein Paket ist noch nicht angekommen", "de"),
        ("Mi pedido todavía no ha llegado", "es"),
        ("Il mio ordine non è ancora arrivato", "it"),
        ("O meu pedido ainda não chegou", "pt"),
        ("Mijn bestelling is nog niet aangekomen", "nl"),
        ("Moje zamówienie jeszcze nie dotarło", "pl"),
        ("Siparişim henüz gelmedi", "tr"),
        ("Мой заказ ещё не пришёл", "ru"),
        ("لم يصل طلبي بعد", "ar"),
        ("我的订单还没有到", "zh"),
        ("注文した商品がまだ届きません", "ja"),
        ("Hello, my order has not arrived yet", "en"),
        ("MY ORDER HAS NOT ARRIVED YET!!!", "en"),
        ("voir https://shop.example/fr/commande/12 : ça ne marche pas", "fr"),
    ],
)
def test_a_message_in_a_candidate_language_is_detected_sure(text: str, language: str) -> None:
    [found] = DETECTOR.detect([text])
    assert found is not None and (found.language, found.confident) == (language, True)
    assert found.confidence >= 0.5 and found.source.startswith("fasttext-lid.176.ftz/")


@pytest.mark.parametrize(
    ("text", "top"),
    [("ok", "en"), ("OK", "en"), ("merci", "fr"), ("thanks!", "en"), ("Yes.", "en")],
)
def test_a_short_word_is_recorded_unsure(text: str, top: str) -> None:
    [found] = DETECTOR.detect([text])
    assert found is not None and (found.language, found.confident) == (top, False)


def test_a_language_outside_the_candidates_is_recorded_unsure() -> None:
    [found] = DETECTOR.detect(["Hej, tack för hjälpen! Jag har inte fått min beställning."])
    assert found is not None and (found.language, found.confident) == ("sv", False)
    assert found.evidence.startswith("sv ") and "sv" not in DETECTOR.candidates


@pytest.mark.parametrize(
    "text", ["", "👍", "12345", "https://example.com/orders/8812", "a@b.fr", "www.shop.fr/x ?"]
)
def test_a_text_without_letters_gets_no_guess(text: str) -> None:
    assert DETECTOR.detect([text]) == [None]


def test_only_the_configured_languages_are_applied() -> None:
    detector = LanguageDetector(["en", "fr"], min_confidence=0.5)
    german, french = detector.detect(["Mein Paket ist noch nicht angekommen", "Où est mon colis ?"])
    assert german is not None and (german.language, german.confident) == ("de", False)
    assert german.evidence.startswith("de 1.00") and german.evidence.endswith("(2 candidates)")
    assert french is not None and (french.language, french.confident) == ("fr", True)
    assert french.source.endswith("/2")


def test_the_confidence_threshold_is_the_models_probability() -> None:
    text = "Danke schön"  # the model: de 0.58
    [lenient] = LanguageDetector(min_confidence=0.5).detect([text])
    [strict] = LanguageDetector(min_confidence=0.9).detect([text])
    assert lenient is not None and strict is not None
    assert 0.5 <= lenient.confidence < 0.9 and lenient.confidence == strict.confidence
    assert (lenient.confident, strict.confident) == (True, False)


def test_a_detector_failure_gives_no_guesses(caplog: pytest.LogCaptureFixture) -> None:
    class Broken:
        def predict(self, text: str, k: int) -> None:
            raise RuntimeError("model file damaged")

    detector = LanguageDetector(["en", "fr"])
    detector._model = Broken()
    assert detector.detect(["Bonjour", "Hello"]) == [None, None]
    assert "language detection failed" in caplog.text


def test_an_unknown_language_code_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="xx"):
        LanguageDetector(["en", "xx"])
