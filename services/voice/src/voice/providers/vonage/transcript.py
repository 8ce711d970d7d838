"""Vonage transcription events -> the transcript to fetch, and its document -> text (pure).

A transcription event names only the call's conversation, the recording and a
``transcription_url``; the document there (JSON, downloaded with the application's JWT) is
``{"channels": [{"transcript": [{"sentence": ..., "raw_sentence": ...}, ...]}, ...]}``: one
channel per side of a split recording. The text is each channel's sentences joined by
spaces, channels by a blank line; ``sentence`` (punctuated), else ``raw_sentence``.
"""

from __future__ import annotations

import msgspec

from hotline.kafka.errors import PermanentError
from voice.calls import CallContext
from voice.providers.vonage.normalize import SOURCE, fields_of
from voice.providers.vonage.parse import parse
from voice.transcripts import Pending


class Sentence(msgspec.Struct):
    sentence: str = ""
    raw_sentence: str = ""


class Channel(msgspec.Struct):
    transcript: list[Sentence] = []


class Document(msgspec.Struct):
    channels: list[Channel] = []
    language: str | None = None


DECODER = msgspec.json.Decoder(Document)


def pending(body: bytes, ctx: CallContext) -> Pending | None:
    """The transcript a transcription event names (None for any other event); its recording
    id is the event's ``recording_uuid``, else the document's id (the URL's last part)."""
    callback = parse(body)
    url = callback.transcription_url
    if not url:
        return None
    rid = callback.recording_uuid or url.rstrip("/").rsplit("/", 1)[-1]
    fields = fields_of(ctx, callback, f"call.transcript:{rid}")
    return Pending(url, read, fields, rid, SOURCE, callback.language)


def read(document: bytes) -> tuple[str, str | None]:
    """The document's text and language; ``PermanentError`` when it is not one."""
    try:
        doc = DECODER.decode(document)
    except msgspec.ValidationError as exc:
        raise PermanentError("schema_mismatch", str(exc)) from exc
    except msgspec.DecodeError as exc:
        raise PermanentError("malformed", str(exc)) from exc
    channels = (" ".join(_said(s) for s in c.transcript if _said(s)) for c in doc.channels)
    return "\n\n".join(text for text in channels if text), doc.language


def _said(sentence: Sentence) -> str:
    return (sentence.sentence or sentence.raw_sentence).strip()
