"""Hostile customer content, unit by unit: the HTML sanitizer (payload -> inert output), the
inline-or-download decision (by magic bytes only), download names, bidi controls, linked text
and the ``message_content`` macro itself."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

import pytest

from hotline import events as ev
from unifier.domain import message_files
from unifier.domain.inert import (
    content_disposition,
    safe_filename,
    sniff_audio,
    sniff_image,
    unbidi,
)
from unifier.entrypoints.web.content_filters import linkify
from unifier.entrypoints.web.sanitize import BLOCKED_IMAGE, decode_html, sanitize
from unifier.entrypoints.web.templating import env

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
# What must never survive the sanitizer, whatever the payload
ACTIVE = re.compile(
    r"<script|<style|<svg|<iframe|<object|<embed|<form|<input|<textarea|<base|<meta|<link"
    r"|\son\w+\s*=|javascript:|vbscript:|expression\(|url\(|@import|data:text",
    re.I,
)
REL = 'rel="noopener noreferrer nofollow"'
DEAD_LINK = f'<a target="_blank" {REL}>x</a>'
PIXEL = '<img src="https://track.example/p.gif" width="1" height="1">'
SANITIZER_CASES = [
    ("<script>alert(1)</script>hi", "hi"),
    ("<img src=x onerror=alert(1)>", f'<img src="{BLOCKED_IMAGE}">'),
    (
        '<a href="javascript:alert(1)">x</a>',
        DEAD_LINK,
    ),
    (
        '<a href="  jav&#x09;ascript:alert(1)">x</a>',
        DEAD_LINK,
    ),
    (
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        DEAD_LINK,
    ),
    (
        '<a href="https://shop.example/o?1">o</a>',
        f'<a href="https://shop.example/o?1" target="_blank" {REL}>o</a>',
    ),
    ("<svg onload=alert(1)><circle r=1 /></svg>ok", "ok"),
    ('<div style="background:url(javascript:alert(1))">x</div>', "<div>x</div>"),
    ('<p style="color:red;width:expression(alert(1))">x</p>', "<p>x</p>"),
    ('<p style="color:red;position:fixed;top:0">x</p>', '<p style="color:red">x</p>'),
    ('<p style="colo\\72:red">x</p>', "<p>x</p>"),
    ("<style>body{background:url(http://t.example/p)}</style>text", "text"),
    ('<form action="https://evil.example"><input name=p><button>Go</button></form>', "Go"),
    ("</textarea><script>alert(1)</script>", ""),
    ("</title><script>alert(1)</script>", ""),
    ("<iframe src=//evil.example></iframe>t", "t"),
    ("<object data=x.swf></object><embed src=x.swf>e", "e"),
    (
        '<img src="https://track.example/p.gif" width="1" height="1">',
        f'<img src="{BLOCKED_IMAGE}" width="1" height="1">',
    ),
    ('<img src="cid:logo@x">', '<img src="/inbox/messages/m/attachments/0">'),
    ('<img src="cid:unknown@x">', f'<img src="{BLOCKED_IMAGE}">'),
    ("<b>bold <i>unclosed", "<b>bold <i>unclosed</i></b>"),
    ("<<script>script>alert(1)<</script>/script>", "&lt;/script&gt;"),
    ('<base href="https://evil.example/"><meta http-equiv=refresh content="0;url=//e">x', "x"),
    ("<math><mi xlink:href=javascript:alert(1)>m</mi></math>", ""),  # foreign content goes
    ("<!-- <script>alert(1)</script> -->c", "c"),
    ("<p>\u202etxt.exe &#x202e;gpj &#8295;i&#8297;</p>", "<p>txt.exe gpj i</p>"),
]


@pytest.mark.parametrize(("payload", "expected"), SANITIZER_CASES)
def test_sanitizer_leaves_markup_inert(payload: str, expected: str) -> None:
    out = sanitize(payload, {"logo@x": "/inbox/messages/m/attachments/0"})
    assert out == expected
    assert not ACTIVE.search(out.replace(BLOCKED_IMAGE, ""))


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("<p>café</p>".encode(), "<p>café</p>"),
        ('<meta charset="iso-8859-1"><p>caf\xe9</p>'.encode("latin-1"), "<p>café</p>"),
        ("<p>caf\xe9</p>".encode("latin-1"), "<p>café</p>"),
        (b'<meta charset="x-nonsense"><p>caf\xe9</p>', "<p>café</p>"),
    ],
)
def test_html_body_decoding(data: bytes, text: str) -> None:
    assert decode_html(data).endswith(text)


@pytest.mark.parametrize(
    ("head", "mime"),
    [
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"GIF89a\x01\x00", "image/gif"),
        (b"GIF87a\x01\x00", "image/gif"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">', None),
        (b"<?xml version='1.0'?><svg", None),
        (b"<html><script>alert(1)</script>", None),
        (b"%PDF-1.7\n", None),
        (b"RIFF\x10\x00\x00\x00WAVEfmt ", None),
        (b"MZ\x90\x00", None),
        (b"", None),
        (b"\x89PNG", None),  # truncated signature
    ],
)
def test_inline_only_for_raster_images_by_magic_bytes(head: bytes, mime: str | None) -> None:
    assert sniff_image(head) == mime


@pytest.mark.parametrize(
    ("name", "clean"),
    [
        ("report.pdf", "report.pdf"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),
        ("\u2067evil\u2069.png", "evil.png"),
        ("../../etc/passwd", "etcpasswd"),
        ("..\\..\\win.ini", "win.ini"),
        (".htaccess", "htaccess"),
        ("a\r\nContent-Type: text/html.txt", "aContent-Type: texthtml.txt"),
        ('x"; filename="evil.html', 'x"; filename="evil.html'),
        ("", "attachment"),
        (None, "attachment"),
        ("\u202e", "attachment"),
        ("ünïcødé 文件.txt", "ünïcødé 文件.txt"),
        ("a" * 300, "a" * 120),
    ],
)
def test_download_names(name: str | None, clean: str) -> None:
    assert safe_filename(name) == clean


def test_content_disposition_is_one_header_value_with_the_utf8_name() -> None:
    value = content_disposition('évil"\r\n\u202egpj.exe', inline=False)
    assert value.startswith("attachment; ")
    assert "\r" not in value and "\n" not in value and "\u202e" not in value
    ascii_part, utf8_part = value.split("; ")[1:]
    assert ascii_part == 'filename="_vil_gpj.exe"'
    assert unquote(utf8_part.removeprefix("filename*=UTF-8''")) == 'évil"gpj.exe'
    assert content_disposition("a.png", inline=True).startswith("inline; ")


def test_bidi_controls_stripped_marks_kept() -> None:
    assert (
        unbidi("a\u202ab\u202bc\u202cd\u202de\u202ef\u2066g\u2067h\u2068i\u2069j") == "abcdefghij"
    )
    assert unbidi("שלום\u200fabc\u200e") == "שלום\u200fabc\u200e"


ORDER, X = "https://shop.example/o?a=1&amp;b=2", "http://x.example/"


@pytest.mark.parametrize(
    ("text", "html"),
    [
        (
            "see https://shop.example/o?a=1&b=2.",
            f'see <a href="{ORDER}" {REL} target="_blank">{ORDER}</a>.',
        ),
        ("javascript:alert(1)", "javascript:alert(1)"),
        (
            "data:text/html,<script>alert(1)</script>",
            "data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;",
        ),
        (
            'http://x.example/"onmouseover="alert(1)',
            f'<a href="{X}" {REL} target="_blank">{X}</a>&#34;onmouseover=&#34;alert(1)',
        ),
        ("<b>hi</b> \u202eevil", "&lt;b&gt;hi&lt;/b&gt; evil"),
        (None, ""),
    ],
)
def test_linkify(text: str | None, html: str) -> None:
    assert str(linkify(text)) == html


def _email(**kw: Any) -> bytes:
    attachments = [
        ev.AttachmentRef(
            ref="blob:sha256/" + "a" * 64, mime_type="text/html", size=10, filename="x.html"
        ),
        ev.AttachmentRef(ref="provider:whatsapp/MEDIA123", mime_type="image/jpeg"),
    ]
    event = ev.MessageReceived(
        event_id="e1",
        tenant="t",
        channel=ev.ChannelRef(kind="email", account_id="help@x"),
        provider_message_id="<m@x>",
        received_at=datetime(2026, 1, 1, tzinfo=UTC),
        conversation_key="k",
        sender=ev.Sender(handle="a@x"),
        content=ev.EmailContent(subject="S", text="t", html_ref="blob:sha256/" + "b" * 64),
        attachments=attachments,
        **kw,
    )
    return ev.encode(event)


def test_described_files_carry_no_refs() -> None:
    d = message_files.describe(_email())
    assert d["subject"] == "S" and d["has_html"] is True
    assert [a["stored"] for a in d["attachments"]] == [True, False]
    assert d["attachments"][1]["provider_id"] == "MEDIA123"
    assert "blob:" not in repr(d)


HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(1)>\u202egpj.exe'


def _macro(**m: Any) -> str:
    base = {
        "message_id": 'm1"><script>',
        "thread_id": "t1",
        "deleted": False,
        "subject": HOSTILE,
        "text": HOSTILE + " https://ok.example javascript:alert(2)",
        "has_html": True,
        "attachments": [
            {
                "index": 0,
                "filename": HOSTILE,
                "mime_type": 'text/html"><svg onload=alert(1)>',
                "size": 2048,
                "stored": True,
                "provider_id": None,
                "image": True,
            },
            {
                "index": 1,
                "filename": None,
                "mime_type": "image/jpeg",
                "size": None,
                "stored": False,
                "provider_id": "MEDIA<b>",
                "image": None,
            },
        ],
    }
    tmpl = env.from_string(
        '{% from "_content.html" import message_content %}{{ message_content(m) }}'
    )
    return tmpl.render(m={**base, **m})


def test_message_content_macro_renders_everything_inert() -> None:
    html = _macro()
    assert "<script" not in html and "<svg" not in html and "<img src=x" not in html
    assert "\u202e" not in html
    assert re.findall(r'href="([^"]+)"', html) == [
        "https://ok.example",
        "/inbox/messages/m1%22%3E%3Cscript%3E/attachments/0?c=t1",
        "/inbox/messages/m1%22%3E%3Cscript%3E/attachments/0?c=t1",
    ]
    assert 'sandbox="allow-popups allow-popups-to-escape-sandbox"' in html
    assert "allow-scripts" not in html and "allow-same-origin" not in html
    assert "not stored" in html and "MEDIA&lt;b&gt;" in html
    assert "<bdi>&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_deleted_message_shows_nothing_of_its_content() -> None:
    html = _macro(deleted=True)
    assert "deleted" in html and "iframe" not in html and "attachments" not in html


@pytest.mark.parametrize(
    ("head", "mime"),
    [
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "audio/wav"),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00", "audio/mpeg"),
        (b"\xff\xfb\x90\x64\x00\x00", "audio/mpeg"),
        (b"OggS\x00\x02\x00\x00", "audio/ogg"),
        (b"fLaC\x00\x00\x00\x22", "audio/flac"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", None),  # an image is not a recording
        (b"<html><script>", None),
        (b"", None),
    ],
)
def test_recordings_play_only_as_what_their_bytes_are(head: bytes, mime: str | None) -> None:
    assert sniff_audio(head) == mime
