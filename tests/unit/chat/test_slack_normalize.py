"""Each recorded Slack payload -> the events we expect (values written by hand)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chat_gateway.slack.pipeline import Challenge, Normalized, process
from hotline import events as ev
from hotline.channels import registered
from hotline.http import Rejected
from hotline.kafka import PermanentError
from tests.unit.chat.slack_fixtures import TENANT, WORKSPACES, load, signed_headers

NOW = 1_764_012_700
RECEIVED = datetime(2026, 11, 24, 19, 31, 40, tzinfo=UTC)


def run(name: str, body: bytes | None = None) -> list[ev.Event]:
    body = body if body is not None else load(name)
    outcome = process(signed_headers(body, NOW), body, WORKSPACES, NOW, RECEIVED)
    assert isinstance(outcome, Normalized)
    return outcome.events


def one(name: str) -> ev.Event:
    events = run(name)
    assert len(events) == 1
    return events[0]


def test_message() -> None:
    e = one("message")
    assert isinstance(e, ev.MessageReceived)
    assert e.event_id == ev.event_id_for("acme", "slack", "C0SUPPORT:1764012000.000100")
    assert (e.tenant, e.channel.kind, e.channel.account_id) == ("acme", "slack", "T0HOTLINE")
    assert e.provider_message_id == "C0SUPPORT:1764012000.000100"
    assert e.conversation_key == "slack:T0HOTLINE:C0SUPPORT"
    assert e.content == ev.TextContent(text="Hello, my order #4412 has not arrived")
    assert e.sender.handle == "C0SUPPORT"
    assert e.sender.identifiers == [
        ev.Identifier(
            kind="slack_user",
            value="T0HOTLINE:U0ALICE",
            source="provider",
            verified=True,
            level="provider_verified",
        )
    ]
    assert e.sender.display_name is None  # no profile was looked up
    assert e.provider_timestamp == datetime(2025, 11, 24, 19, 20, 0, 100, tzinfo=UTC)
    assert e.received_at == RECEIVED
    assert e.thread.chat_thread_id is None
    assert e.thread.provider_conversation_id == "C0SUPPORT"


def test_thread_reply_carries_the_thread_hint() -> None:
    e = one("thread_reply")
    assert isinstance(e, ev.MessageReceived)
    assert e.thread.chat_thread_id == "1764012000.000100"
    assert e.provider_message_id == "C0SUPPORT:1764012060.000200"
    assert e.content == ev.TextContent(text="Any news?")


def test_message_changed_is_an_edit_of_the_original() -> None:
    e = one("message_changed")
    assert isinstance(e, ev.MessageEdited)
    assert e.target_message_id == "C0SUPPORT:1764012000.000100"
    assert e.content == ev.TextContent(text="Hello, my order #4413 has not arrived")
    assert e.sender.identifiers[0].value == "T0HOTLINE:U0ALICE"
    assert e.provider_timestamp == datetime(2025, 11, 24, 19, 22, tzinfo=UTC)
    assert e.event_id != one("message").event_id


def test_message_deleted() -> None:
    e = one("message_deleted")
    assert isinstance(e, ev.MessageDeleted)
    assert e.target_message_id == "C0SUPPORT:1764012060.000200"
    assert e.sender is not None and e.sender.identifiers[0].value == "T0HOTLINE:U0ALICE"
    assert e.event_id == ev.event_id_for(TENANT, "slack", "C0SUPPORT:1764012060.000200", "deleted")


def test_file_share_gives_attachments_by_reference() -> None:
    e = one("file_share")
    assert isinstance(e, ev.MessageReceived)
    assert e.content == ev.MediaContent(media_kind="image")
    assert e.attachments == [
        ev.AttachmentRef(
            ref="provider:slack/F0RECEIPT1",
            mime_type="image/png",
            size=48213,
            filename="receipt.png",
        ),
        ev.AttachmentRef(
            ref="provider:slack/F0INVOICE2",
            mime_type="application/pdf",
            size=120044,
            filename="invoice.pdf",
        ),
    ]


@pytest.mark.parametrize(
    "name",
    ["bot_message", "own_app_message", "channel_join", "app_mention", "message_changed_unfurl"],
)
def test_ignored(name: str) -> None:
    assert run(name) == []


def test_reactions_added_and_removed_are_distinct_events() -> None:
    added, removed = one("reaction_added"), one("reaction_removed")
    assert isinstance(added, ev.Reaction) and isinstance(removed, ev.Reaction)
    assert (added.emoji, added.removed, added.target_message_id) == (
        "thumbsup",
        False,
        "C0SUPPORT:1764012360.000700",
    )
    assert (removed.emoji, removed.removed) == ("thumbsup", True)
    assert added.sender is not None and added.sender.identifiers[0].value == "T0HOTLINE:U0ALICE"
    assert added.event_id != removed.event_id


def test_slack_connect_external_user_keeps_their_own_team() -> None:
    e = one("connect_external")
    assert isinstance(e, ev.MessageReceived)
    assert e.tenant == TENANT  # the receiving workspace's tenant
    assert e.sender.identifiers == [
        ev.Identifier(
            kind="slack_user",
            value="T0ACMECORP:U0BOB",
            source="slack.connect",
            verified=True,
            level="provider_verified",
        )
    ]
    assert e.sender.role == "customer"


def test_url_verification_answers_the_challenge() -> None:
    body = load("url_verification")
    outcome = process(signed_headers(body, NOW), body, WORKSPACES, NOW, RECEIVED)
    assert outcome == Challenge("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")


def test_same_payload_same_ids_whatever_the_clock() -> None:
    body = load("message")
    later = process(signed_headers(body, NOW + 100), body, WORKSPACES, NOW + 100, datetime.now(UTC))
    assert isinstance(later, Normalized)
    assert [e.event_id for e in later.events] == [e.event_id for e in run("message")]


def test_event_for_another_team_signed_with_our_secret_is_refused() -> None:
    body = load("message").replace(b'"team_id": "T0HOTLINE"', b'"team_id": "T0OTHER"')
    with pytest.raises(Rejected) as info:
        process(signed_headers(body, NOW), body, WORKSPACES, NOW, RECEIVED)
    assert (info.value.status, info.value.reason) == (401, "bad_signature")  # T0OTHER's secret


def test_unparseable_ts_is_poison() -> None:
    body = load("message").replace(b'"ts": "1764012000.000100"', b'"ts": "yesterday"')
    with pytest.raises(PermanentError) as info:
        process(signed_headers(body, NOW), body, WORKSPACES, NOW, RECEIVED)
    assert (info.value.reason, info.value.detail) == ("bad_ts", "not a Slack ts: 'yesterday'")


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        (b"{not json", 400, "malformed"),
        (b'{"type": "event_callback", "team_id": "T0HOTLINE"}', 422, "schema_mismatch"),
        (b'{"type": "block_actions"}', 422, "schema_mismatch"),
    ],
)
def test_parse_errors(body: bytes, status: int, reason: str) -> None:
    with pytest.raises(Rejected) as info:
        process(signed_headers(body, NOW), body, WORKSPACES, NOW, RECEIVED)
    assert (info.value.status, info.value.reason) == (status, reason)


def test_schema_mismatch_names_the_field_path() -> None:
    body = load("message").replace(b'"channel": "C0SUPPORT"', b'"channel": 42')
    with pytest.raises(Rejected) as info:
        process(signed_headers(body, NOW), body, WORKSPACES, NOW, RECEIVED)
    assert info.value.status == 422
    assert "$.channel" in info.value.detail and "$.event" in info.value.detail


def test_plugin_is_registered_and_pure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_TENANTS", '{"slack:T0HOTLINE": "acme"}')
    plugin = registered()["slack"]
    events = plugin.normalize(load("message"))
    assert [e.event_id for e in events] == [one("message").event_id]
    assert plugin.normalize(load("bot_message")) == []
