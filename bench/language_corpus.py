"""The labelled texts of the language-detector comparison (bench/triage_bench.py).

- ``samples()``: bench/language_samples.tsv, short support messages written for it, 10 per
  language.
- ``replies()``: the visible text (quoted history and signature stripped, as the e-mail edge
  does) of every reply body in ``$HOTLINE_CORPORA/reply-quotes``, identical texts once. The
  corpus's file names give the language of a body's reply header and quote, not of the reply
  (an English reply under a German header is common), so each text's language here is our
  own reading of it: ``REPLY_LANGUAGES`` (default English); ``NONE`` marks texts without a
  language of their own (a word like "Foo" or "test", an emoji), which a detector should leave
  unsure.
- ``UNSURE``: very short or language-less messages: an answer for these must not be applied.
"""

from __future__ import annotations

import os
from pathlib import Path

from email_ingest.visible import visible_text

CORPORA = Path(os.environ.get("HOTLINE_CORPORA", Path(__file__).parents[2] / "shared/corpora"))
SAMPLES = Path(__file__).with_name("language_samples.tsv")
NONE = "-"
SETS = {"crisp": "crisp-email-reply-parser/test/fixtures",
        "discourse": "discourse-email_reply_trimmer/test/emails",
        "mail": "mail-parser-reply/test/emails"}  # fmt: skip
UNSURE = ("ok", "OK", "merci", "thanks!", "👍", "12345", "https://example.com/orders/8812",
          "?", "ok 👍", "+33 6 12 34 56 78", "jean.dupont@example.fr", "#4411")  # fmt: skip
_LATIN = ("la", ["crisp/email_9", "crisp/email_10", "crisp/email_15", "crisp/email_21",
                 "crisp/email_22", "discourse/spam_2"])  # fmt: skip
_OWN = {  # the reply's own language, where it is not English
    "de": ["discourse/embedded_email_german_3", "discourse/embedded_email_german_6",
           "discourse/usenet", "mail/multiline_on_de"],
    "fr": ["crisp/email_customer_quote_header_3", "discourse/embedded_email_french_1"],
    "pt": ["discourse/embedded_email_portuguese"],
    "es": ["discourse/embedded_email_spanish_2"],
    "ru": ["discourse/embedded_email_ukrainian"],
    "ja": ["mail/email_ja_1_1", "mail/email_ja_1_2"],
    "nl": ["mail/email_nl_1_1", "mail/email_nl_1_2"],
    "pl": ["mail/email_pl_1_1", "mail/email_pl_1_3"],
    "da": ["mail/email_danish_1", "mail/email_danish_2", "mail/email_danish_3",
           "mail/email_danish_5"],
    "sv": ["mail/email_sv_anon_1", "mail/email_swedish_1"],
    _LATIN[0]: _LATIN[1],
    NONE: ["crisp/email_emoji", "discourse/email_headers_4", "discourse/embedded_email_8",
           "discourse/embedded_email_9", "discourse/embedded_email_12",
           "discourse/embedded_email_german_2", "mail/email_1_7", "mail/multiline_on"],
}  # fmt: skip
REPLY_LANGUAGES = {key: lang for lang, keys in _OWN.items() for key in keys}


def samples() -> list[tuple[str, str]]:
    """(language, text) pairs."""
    rows = [line.split("\t", 1) for line in SAMPLES.read_text().splitlines()
            if line and not line.startswith("#")]  # fmt: skip
    return [(lang, text) for lang, text in rows]


def replies() -> list[tuple[str, str]]:
    """(language or NONE, visible text) of every distinct reply text, in file order; the
    language of a text met in several files is the first file's."""
    out: dict[str, str] = {}
    for name, folder in SETS.items():
        for path in sorted((CORPORA / "reply-quotes" / folder).glob("*.txt")):
            body = path.read_bytes().decode("utf-8").replace("\r\n", "\n")
            text = visible_text(body).strip()[:1000]
            if text:
                out.setdefault(text, REPLY_LANGUAGES.get(f"{name}/{path.stem}", "en"))
    return [(lang, text) for text, lang in out.items()]
