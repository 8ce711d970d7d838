"""HTML form bodies (pure): ``application/x-www-form-urlencoded`` and ``multipart/form-data``.

Multipart parts keep their exact bytes (attachments are binary; no line-end rewriting). A body
that is neither, or whose multipart framing is broken, is a ``PermanentError("malformed")``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from email_ingest.headers import parse_params
from hotline.kafka.errors import PermanentError

MAX_FIELDS = 1000


@dataclass(frozen=True)
class Field:
    name: str
    value: bytes
    filename: str | None = None
    content_type: str | None = None

    @property
    def text(self) -> str:
        return self.value.decode("utf-8", "replace")


class Form:
    """Fields in order; ``get`` answers the first one of a name."""

    def __init__(self, fields: list[Field]) -> None:
        self.fields = fields

    def get(self, name: str) -> str | None:
        found = self.raw(name)
        return None if found is None else found.decode("utf-8", "replace")

    def raw(self, name: str) -> bytes | None:
        """The field's exact bytes (a raw mail keeps its 8-bit bytes as sent)."""
        return next((f.value for f in self.fields if f.name == name), None)

    def pairs(self) -> list[tuple[str, str]]:
        return [(f.name, f.text) for f in self.fields if f.filename is None]

    def files(self) -> list[Field]:
        return [f for f in self.fields if f.filename is not None]


def parse_form(body: bytes, content_type: str) -> Form:
    media, params = parse_params(content_type or "")
    if media == "application/x-www-form-urlencoded":
        return _urlencoded(body)
    if media == "multipart/form-data" and params.get("boundary"):
        return Form(_multipart(body, params["boundary"].encode("latin-1")))
    raise PermanentError("malformed", f"expected a form body, got {media or 'no media type'}")


def _urlencoded(body: bytes) -> Form:
    """Percent-escapes decoded byte for byte (Latin-1 maps bytes 1:1), so values stay exact."""
    text = body.decode("latin-1")
    try:
        pairs = parse_qsl(
            text,
            keep_blank_values=True,
            strict_parsing=bool(text.strip()),
            encoding="latin-1",
            max_num_fields=MAX_FIELDS,
        )
    except ValueError as exc:
        raise PermanentError("malformed", f"bad urlencoded form: {exc}") from exc
    return Form([Field(_utf8(k), v.encode("latin-1")) for k, v in pairs])


def _utf8(name: str) -> str:
    return name.encode("latin-1").decode("utf-8", "replace")


def _multipart(body: bytes, boundary: bytes) -> list[Field]:
    delim = b"--" + boundary
    chunks = body.split(delim)
    if len(chunks) < 3 or not chunks[-1].startswith(b"--"):
        raise PermanentError("malformed", "multipart/form-data without its closing boundary")
    if len(chunks) > MAX_FIELDS + 2:
        raise PermanentError("malformed", f"more than {MAX_FIELDS} form fields")
    return [_field(chunk) for chunk in chunks[1:-1]]


def _field(chunk: bytes) -> Field:
    chunk = (
        chunk[2:] if chunk.startswith(b"\r\n") else chunk[1:] if chunk.startswith(b"\n") else chunk
    )
    head, sep, value = chunk.partition(b"\r\n\r\n")
    if not sep:
        head, sep, value = chunk.partition(b"\n\n")
    if not sep:
        raise PermanentError("malformed", "form part without a header block")
    value = (
        value[:-2] if value.endswith(b"\r\n") else value[:-1] if value.endswith(b"\n") else value
    )
    headers = _part_headers(head)
    _, disposition = parse_params(headers.get("content-disposition", ""))
    if "name" not in disposition:
        raise PermanentError("malformed", "form part without a name")
    ctype = headers.get("content-type")
    return Field(disposition["name"], value, disposition.get("filename"), ctype)


def _part_headers(head: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in head.replace(b"\r\n", b"\n").split(b"\n"):
        name, colon, value = line.decode("utf-8", "replace").partition(":")
        if colon:
            out[name.strip().lower()] = value.strip()
    return out
