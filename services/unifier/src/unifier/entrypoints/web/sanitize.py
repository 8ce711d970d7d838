"""HTML mail made inert with nh3 (ammonia): an allow-list of tags and attributes, no script,
no form, no stylesheet; inline styles only of layout and typography properties and never with
``url()``, ``expression()`` or escapes; links only http(s)/mailto with ``rel="noopener
noreferrer nofollow"`` opening a new tab; images only from the message's own stored
attachments (``cid:``, embedded as ``data:`` URIs by the caller), every other image (remote:
a tracking pixel) replaced by a placeholder; bidi controls stripped as everywhere
(``domain.inert``). The result is served in a sandboxed iframe with its own CSP
(``web.content``), so even a sanitizer miss could not run a script or reach another origin.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import nh3

from unifier.domain.inert import unbidi

TAGS = {
    *("a", "abbr", "b", "blockquote", "br", "caption", "center", "cite", "code", "col"),
    *("colgroup", "dd", "del", "div", "dl", "dt", "em", "font", "h1", "h2", "h3", "h4"),
    *("h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "ol", "p", "pre", "q", "s", "small"),
    *("span", "strike", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th"),
    *("thead", "tr", "tt", "u", "ul"),
}
CELL = {"align", "valign", "width", "height", "bgcolor", "colspan", "rowspan"}
ATTRIBUTES = {
    "*": {"style", "dir", "lang", "title", "align"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "table": {"width", "border", "cellpadding", "cellspacing", "bgcolor"},
    "td": CELL,
    "th": CELL,
    "tr": {"valign", "bgcolor"},
    "font": {"color", "size", "face"},
    "col": {"width", "span"},
    "ol": {"start", "type"},
}
STYLE_PROPERTIES = {
    *("color", "background-color", "font", "font-family", "font-size", "font-style"),
    *("font-weight", "text-align", "text-decoration", "text-indent", "text-transform"),
    *("line-height", "letter-spacing", "white-space", "vertical-align", "direction"),
    *("margin", "margin-top", "margin-right", "margin-bottom", "margin-left", "padding"),
    *("padding-top", "padding-right", "padding-bottom", "padding-left", "border"),
    *("border-top", "border-right", "border-bottom", "border-left", "border-color"),
    *("border-style", "border-width", "border-collapse", "border-spacing", "border-radius"),
    *("width", "height", "max-width", "min-width", "list-style-type", "display"),
}
# Whatever of CSS could fetch, run or hide a fetch: the whole style attribute goes
_STYLE_DANGER = re.compile(r"url\s*\(|expression|javascript|behavior|binding|@import|\\", re.I)
DROPPED_WITH_CONTENT = {"script", "style", "title", "noscript", "template", "xmp", "iframe"}
SCHEMES = {"http", "https", "mailto", "cid"}
LINK_REL = "noopener noreferrer nofollow"
BLOCKED_IMAGE = (
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='120' height='24'%3E"
    "%3Crect width='100%25' height='100%25' fill='%23eee'/%3E%3Ctext x='4' y='16' "
    "font-size='11' fill='%23555'%3Eremote image blocked%3C/text%3E%3C/svg%3E"
)

Filter = Callable[[str, str, str], str | None]


def _attribute_filter(images: Mapping[str, str]) -> Filter:
    """Per attribute: images only from ``images`` (content id -> our URL), safe styles."""

    def keep(tag: str, attr: str, value: str) -> str | None:
        if tag == "img" and attr == "src":
            cid = value[4:].strip("<>") if value.lower().startswith("cid:") else None
            return images.get(cid, BLOCKED_IMAGE) if cid else BLOCKED_IMAGE
        if attr == "style" and _STYLE_DANGER.search(value):
            return None
        return value

    return keep


def sanitize(html: str, images: Mapping[str, str] | None = None) -> str:
    """The inert fragment of an HTML mail body, without bidi controls (literal or entities)."""
    clean = nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ATTRIBUTES,
        attribute_filter=_attribute_filter(images or {}),
        strip_comments=True,
        link_rel=LINK_REL,
        set_tag_attribute_values={"a": {"target": "_blank"}},
        url_schemes=SCHEMES,
        filter_style_properties=STYLE_PROPERTIES,
    )
    return unbidi(clean)


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)


def decode_html(data: bytes) -> str:
    """The body's text: UTF-8, else the charset its own ``<meta>`` names, else Windows-1252
    (the edge keeps the part's bytes, not its MIME charset)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    found = _META_CHARSET.search(data[:4096])
    try:
        return data.decode(found.group(1).decode() if found else "cp1252", errors="replace")
    except LookupError:
        return data.decode("cp1252", errors="replace")


def document(fragment: str) -> str:
    """The iframe's whole document around a sanitized fragment."""
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        '<meta name="referrer" content="no-referrer"></head>'
        f"<body>{fragment}</body></html>"
    )
