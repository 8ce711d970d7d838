"""Header decoding: RFC 2047 words, RFC 2231 parameters, charsets, addresses, Message-IDs."""

from __future__ import annotations

import pytest

from email_ingest.addresses import parse_addresses
from email_ingest.headers import decode_bytes, decode_words, message_ids, parse_params


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"=?UTF-8?B?44G+44G/?= =?UTF-8?B?44KA?=", "まみむ"),
        (b"=?utf-8?B?4oKs?=", "€"),
        (b"=?UTF-8?B?4g==?= =?UTF-8?B?gg==?= =?UTF-8?B?rA==?=", "€"),  # one char split over words
        (b"=?ISO-8859-1?Q?Nicolas_Fouch=E9?= <a@b>", "Nicolas Fouché <a@b>"),
        (b"Re: =?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=", "Re: テスト"),
        (b"=?ks_c_5601-1987?B?x9GxucD8?=", "한국전"),
        (b"=?shift_jis?B?g2WDWINn?=", "テスト"),
        (b"=?x-unknown-charset?Q?abc?=", "abc"),
        (b"=?utf-8?B?broken!!?=", "broken!!"),  # undecodable: the text, not a crash
        ("Säying".encode(), "Säying"),
        (b"caf\xe9", "café"),
    ],
)
def test_decode_words(raw: bytes, text: str) -> None:
    assert decode_words(raw) == text


def test_decode_bytes_never_raises_and_prefers_real_utf8() -> None:
    assert decode_bytes(b"\xff\xfe\x00", "utf-8") == "ÿþ\x00"
    assert decode_bytes("Æ".encode(), "iso-8859-1") == "Æ"
    assert decode_bytes(b"\x1b$B$9$_$^$;$s!#\x1b(B", None) == "すみません。"
    assert decode_bytes(b"\x82\xa0", "Shift_JIS") == "あ"


def test_rfc2231_continuations_and_encoding() -> None:
    ctype, params = parse_params(
        "application/pdf; name*0*=utf-8''%E3%81%8B%E3%81; name*1*=%8D.pdf; x=\"a;b\""
    )
    assert ctype == "application/pdf"
    assert params == {"name": "かき.pdf", "x": "a;b"}


def test_params_with_quoted_boundary_and_broken_quote() -> None:
    assert parse_params('multipart/mixed; Boundary="=_ _= 6(1)"')[1] == {"boundary": "=_ _= 6(1)"}
    assert parse_params('text/plain; charset="utf-8')[1] == {"charset": "utf-8"}


def test_address_comment_does_not_hide_another_address() -> None:  # CVE-2023-27043
    parsed = parse_addresses("alice@example.org(<bob@example.org>")
    assert [a.addr for a in parsed.addresses] == ["alice@example.org"]


def test_address_lists() -> None:
    parsed = parse_addresses('"Doe, John" <J@Example.ORG>, mary@x.test; undisclosed:;')
    assert [(a.addr, a.name) for a in parsed.addresses] == [
        ("J@example.org", "Doe, John"),
        ("mary@x.test", None),
    ]
    assert parsed.defects == []


def test_ambiguous_addresses_are_defects() -> None:
    assert parse_addresses("a@x.test b@y.test").defects
    assert parse_addresses('"unclosed <a@x.test>').defects
    assert parse_addresses("<a@x.test").defects
    assert parse_addresses("Eve <a@x.test> <b@y.test>").defects
    assert parse_addresses('"Eve" <a@x.test> <b@y.test>').defects
    assert parse_addresses('"a\\" <b@y.test>').defects  # an escaped quote: never closed
    assert parse_addresses('"a\\\\" <b@y.test>, c@z.test').defects == []  # an escaped backslash


def test_a_quoted_name_may_hold_angle_brackets_and_quoted_pairs() -> None:
    """RFC 5322: a quoted display name is any text; "<" in it is no second address (a hostile
    name must not cost a sender its verification), and \\" in it is a literal quote."""
    parsed = parse_addresses('"<img src=x onerror=alert(1)>\\"Maria" <m@x.test>')
    assert [(a.addr, a.name) for a in parsed.addresses] == [
        ("m@x.test", '<img src=x onerror=alert(1)>"Maria')
    ]
    assert parsed.defects == []


def test_message_ids_skip_invalid_entries() -> None:
    assert message_ids(b"<a@b> <invalid.   x@y> junk <c@d>") == ["<a@b>", "<c@d>"]
    assert message_ids(None) == []
