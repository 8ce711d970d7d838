"""Language detection started ahead (``service.triage_ahead``): a batch takes the guesses of its
poll's detection, the same as detected in line; what was not started ahead, or was already
taken, is detected then; a failed detection gives no guesses."""

from __future__ import annotations

from collections.abc import Sequence

from hotline import events as ev
from tests.unit.unifier.factory import message
from unifier.domain.triage import LanguageGuess
from unifier.service.language import LanguageDetector
from unifier.service.triage_ahead import LanguagesAhead

TEXTS = {
    "a": "Bonjour, ma commande n'est pas arrivée, pouvez-vous m'aider ?",
    "b": "Hallo, meine Bestellung ist noch nicht angekommen.",
    "c": "Hello, my order has not arrived yet, can you help?",
}


class Counting(LanguageDetector):
    """The real detector, counting the messages it was asked about."""

    def __init__(self) -> None:
        super().__init__(("en", "fr", "de"))
        self.asked: list[str] = []

    def guesses(self, events: Sequence[ev.MessageReceived]) -> dict[str, LanguageGuess]:
        self.asked += [e.provider_message_id for e in events]
        return super().guesses(events)


class Failing(LanguageDetector):
    def guesses(self, events: Sequence[ev.MessageReceived]) -> dict[str, LanguageGuess]:
        raise RuntimeError("detector bug")


def batch() -> list[ev.MessageReceived]:
    return [message(pmid, "whatsapp", text=text) for pmid, text in TEXTS.items()]


def languages(found: dict[str, LanguageGuess]) -> dict[str, str]:
    return {k: g.language for k, g in found.items()}


def test_a_batch_takes_the_guesses_started_ahead_the_same_as_in_line() -> None:
    detector, events = Counting(), batch()
    ahead = LanguagesAhead(detector)
    ahead.start(events)
    first, rest = ahead.take(events[:1]), ahead.take(events[1:])
    got = {**first(), **rest()}
    assert languages(got) == languages(detector.guesses(events))
    assert sorted(languages(got).values()) == ["de", "en", "fr"]
    assert detector.asked[:3] == ["a", "b", "c"]  # one detection for the poll, then the check
    assert len(detector.asked) == 6
    ahead.close()


def test_what_was_not_started_ahead_or_was_taken_is_detected_then() -> None:
    detector, events = Counting(), batch()
    ahead = LanguagesAhead(detector)
    ahead.start(events[:2])
    assert set(ahead.take(events)()) == {e.event_id for e in events}
    again = ahead.take(events[:1])  # a retried batch: the started detection was taken
    assert languages(again()) == {events[0].event_id: "fr"}
    assert detector.asked == ["a", "b", "c", "a"]
    ahead.close()


def test_old_polls_are_forgotten_and_a_failed_detection_gives_no_guesses() -> None:
    detector, events = Counting(), batch()
    ahead = LanguagesAhead(detector, keep=1)
    ahead.start(events[:1])
    ahead.start(events[1:])  # the first poll was never handled (a rebalance): forgotten
    ahead.take(events)()
    assert detector.asked == ["a", "b", "c", "a"]
    failing = LanguagesAhead(Failing(("en", "fr")))
    failing.start(events)
    assert failing.take(events)() == {}
    failing.close()
    ahead.close()
