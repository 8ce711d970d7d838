"""Triage on arrival, the pure part: what text a message is triaged on, and how a language
guess (made by ``service.language``) lands on the message, its thread and its record.

A guess below the detector's confidence threshold is recorded but sets nothing: "ok" or "merci"
say too little to route a conversation by. The thread takes the language of its latest
confident customer message (an agent's reply does not change the customer's language).
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline import events as ev

MAX_TRIAGE_CHARS = 1000  # the opening of a long mail says its language as well as all of it


@dataclass(frozen=True)
class LanguageGuess:
    """A detector's best language for one message (ISO 639-1), with its confidence (0..1),
    whether that clears the threshold, the detector's version and why (the runner-up)."""

    language: str
    confidence: float
    confident: bool
    source: str
    evidence: str


def triage_text(content: ev.Content) -> str:
    """The customer's own words: a mail's subject and new part, a caption, a button's title;
    nothing for a location, contacts or an unsupported kind (placeholders are not language)."""
    if isinstance(content, ev.TextContent):
        text = content.text
    elif isinstance(content, ev.EmailContent):
        text = f"{content.subject}\n{content.visible_text or content.text}"
    elif isinstance(content, ev.MediaContent):
        text = content.caption or ""
    elif isinstance(content, ev.InteractiveContent):
        text = content.title
    else:
        text = ""
    return text.strip()[:MAX_TRIAGE_CHARS]


def message_language(guess: LanguageGuess | None) -> str | None:
    return guess.language if guess is not None and guess.confident else None


def thread_language(role: str, guess: LanguageGuess | None) -> str | None:
    """The language a message gives its thread: a customer's confident one, else none."""
    return message_language(guess) if role == "customer" else None
