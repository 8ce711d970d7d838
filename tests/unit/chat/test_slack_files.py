"""Which Slack files the edge may copy, and the provider -> blob ref swap (pure)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from chat_gateway.slack.files import FileRef, with_blobs
from chat_gateway.slack.pipeline import Normalized, process
from hotline import events as ev
from tests.unit.chat.slack_fixtures import WORKSPACES, load, signed_headers

NOW = 1_764_012_700


def published(body: bytes) -> Normalized:
    outcome = process(signed_headers(body, NOW), body, WORKSPACES, NOW, datetime.now(UTC))
    assert isinstance(outcome, Normalized)
    return outcome


def test_file_share_lists_only_files_with_a_download_url() -> None:
    assert published(load("file_share")).files == [
        FileRef(
            "F0RECEIPT1",
            "https://files.slack.com/files-pri/T0HOTLINE-F0RECEIPT1/download/receipt.png",
            48213,
        )
    ]


def test_ignored_messages_copy_nothing() -> None:
    doc = json.loads(load("file_share"))
    doc["event"]["bot_id"] = "B0OTHER"
    assert published(json.dumps(doc).encode()) == Normalized([], [])


def test_with_blobs_swaps_only_copied_files() -> None:
    [event] = published(load("file_share")).events
    swapped = with_blobs(event, {"F0RECEIPT1": ("blob:sha256/" + "a" * 64, "a" * 64)})
    assert isinstance(swapped, ev.MessageReceived)
    assert [(a.ref, a.sha256) for a in swapped.attachments] == [
        ("blob:sha256/" + "a" * 64, "a" * 64),
        ("provider:slack/F0INVOICE2", None),
    ]
    assert swapped.event_id == event.event_id
    assert swapped.attachments[0].filename == "receipt.png"
    assert with_blobs(event, {}) is event
