"""Jinja filters for customer-written strings: bidi controls stripped, bare URLs linked.

``linkify`` escapes every piece itself and links only what starts ``http://`` or ``https://``
(a ``javascript:`` or ``data:`` text stays text); the links open in a new tab without opener,
referrer or the site's endorsement."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from unifier.domain.inert import unbidi

_URL = re.compile(r"https?://[^\s<>\"'`]+", re.I)
_TRAILING = ".,;:!?)]}'\""
LINK = '<a href="{0}" rel="noopener noreferrer nofollow" target="_blank">{0}</a>'


def _split_trailing(url: str) -> tuple[str, str]:
    """A URL at the end of a sentence without the sentence's punctuation."""
    kept = url.rstrip(_TRAILING)
    return kept, url[len(kept) :]


def linkify(text: str | None) -> Markup:
    """The text escaped, bidi controls stripped, its http(s) URLs as links."""
    clean, out, at = unbidi(text or ""), [], 0
    for match in _URL.finditer(clean):
        url, tail = _split_trailing(match.group())
        out += [escape(clean[at : match.start()]), Markup(LINK).format(url), escape(tail)]
        at = match.end()
    out.append(escape(clean[at:]))
    return Markup("").join(out)


def unbidi_filter(text: str | None) -> str:
    return unbidi(text or "")


FILTERS = {"linkify": linkify, "unbidi": unbidi_filter}
