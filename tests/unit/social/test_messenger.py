"""Messenger and Instagram fixtures -> the events we expect (kinds and key values)."""

from __future__ import annotations

import pytest

from hotline import events as ev
from social_ingest.providers.messenger.normalize import normalize
from tests.unit.social.helpers import CTX, FIXTURES, kinds, named_cases

M = "message/"
MESSENGER = {
    "text": [M + "text"],
    "image": [M + "media"],
    "file_with_text": [M + "text"],
    "sticker": [M + "media"],
    "location": [M + "location"],
    "quick_reply": [M + "interactive"],
    "csat_quick_reply": [M + "interactive"],
    "reply": [M + "text"],
    "echo": [M + "text"],
    "delivery": ["status/delivered"] * 2,
    "read": ["status/read"],
    "postback": [M + "interactive"],
    "reaction": ["reaction"],
    "unreaction": ["reaction"],
    "edit": ["edited"],
    "optin": ["ops/messaging"],
    "two_items": [M + "text", M + "text"],
    "feed_change": ["ops/feed"],
}
INSTAGRAM = {
    "text": [M + "text"],
    "image": [M + "media"],
    "story_reply": [M + "text"],
    "story_mention": [M + "media"],
    "reel_share": [M + "media"],
    "deleted": ["deleted"],
    "unsupported": [M + "unsupported"],
    "echo": [M + "text"],
    "read": ["status/read"],
    "reaction": ["reaction"],
    "postback": [M + "interactive"],
    "comment_change": ["ops/comments"],
}
CASES = [("messenger", n) for n in MESSENGER] + [("instagram", n) for n in INSTAGRAM]


def case(channel: str, name: str) -> bytes:
    return named_cases(FIXTURES / channel / "webhooks.json")[name]


def test_tables_cover_every_fixture() -> None:
    assert set(named_cases(FIXTURES / "messenger" / "webhooks.json")) == set(MESSENGER)
    assert set(named_cases(FIXTURES / "instagram" / "webhooks.json")) == set(INSTAGRAM)


@pytest.mark.parametrize(("channel", "name"), CASES, ids=[f"{c}:{n}" for c, n in CASES])
def test_kinds(channel: str, name: str) -> None:
    out = normalize(case(channel, name), CTX)
    table = MESSENGER if channel == "messenger" else INSTAGRAM
    assert kinds(out) == table[name]
    assert all(e.channel.kind == channel for e in out.events)


def first(channel: str, name: str) -> ev.Event:
    return normalize(case(channel, name), CTX).events[0]


def test_messenger_text_identity_and_keys() -> None:
    e = first("messenger", "text")
    assert isinstance(e, ev.MessageReceived)
    assert e.content == ev.TextContent(text="Where is my parcel?")
    assert e.channel == ev.ChannelRef(kind="messenger", account_id="106712345678901")
    assert e.sender.identifiers == [
        ev.Identifier(
            kind="psid",
            value="106712345678901:6789012345678901",
            source="provider",
            verified=True,
            level="provider_verified",
        )
    ]
    assert e.conversation_key == "acme/messenger/106712345678901/6789012345678901"
    assert e.event_id == ev.event_id_for("acme", "messenger", "m_text_1", "message")
    assert e.provider_timestamp is not None and e.provider_timestamp.microsecond == 123000


def test_echo_is_our_own_send_never_a_customer_message() -> None:
    for channel in ("messenger", "instagram"):
        e = first(channel, "echo")
        assert isinstance(e, ev.MessageReceived)
        assert e.flags.echo and e.sender.role == "agent" and e.sender.identifiers == []
        customer = "6789012345678901" if channel == "messenger" else "5566778899001122"
        assert e.conversation_key.endswith("/" + customer)  # the customer's conversation


def test_deliveries_reads_postbacks_reactions_edits() -> None:
    out = normalize(case("messenger", "delivery"), CTX).events
    assert [(s.target_message_id, s.status) for s in out if isinstance(s, ev.DeliveryStatus)] == [
        ("m_echo_1", "delivered"),
        ("m_echo_2", "delivered"),
    ]
    read = first("messenger", "read")
    assert isinstance(read, ev.DeliveryStatus)
    assert read.target_message_id == "watermark:1764000000700"
    pb = first("messenger", "postback")
    assert isinstance(pb, ev.MessageReceived)
    assert pb.content == ev.InteractiveContent(reply_id="HUMAN_AGENT", title="Talk to an agent")
    react, unreact = first("messenger", "reaction"), first("messenger", "unreaction")
    assert isinstance(react, ev.Reaction) and isinstance(unreact, ev.Reaction)
    assert (react.target_message_id, react.emoji, react.removed) == ("m_echo_1", "❤️", False)
    assert unreact.removed and react.event_id != unreact.event_id
    edit = first("messenger", "edit")
    assert isinstance(edit, ev.MessageEdited) and edit.target_message_id == "m_text_1"
    assert edit.content == ev.TextContent(text="Where is my parcel #42?")


def test_media_location_quick_reply_reply() -> None:
    img = first("messenger", "image")
    assert isinstance(img, ev.MessageReceived) and img.content == ev.MediaContent(
        media_kind="image"
    )
    assert img.attachments[0].ref == "https://scontent.xx.fbcdn.net/v/t1/img.jpg"
    loc = first("messenger", "location")
    assert isinstance(loc, ev.MessageReceived)
    assert loc.content == ev.LocationContent(latitude=52.52, longitude=13.405, name="Home")
    qr = first("messenger", "quick_reply")
    assert isinstance(qr, ev.MessageReceived)
    assert qr.content == ev.InteractiveContent(reply_id="CONFIRM_YES", title="Yes please")
    reply = first("messenger", "reply")
    assert isinstance(reply, ev.MessageReceived)
    assert reply.thread.replied_to_message_id == "m_text_1"


def test_instagram_story_reply_mention_delete() -> None:
    story = first("instagram", "story_reply")
    assert isinstance(story, ev.MessageReceived)
    assert story.thread.replied_to_message_id == "story:17890000000000001"
    assert story.sender.identifiers[0].kind == "ig_id"
    mention = first("instagram", "story_mention")
    assert isinstance(mention, ev.MessageReceived)
    assert mention.content == ev.MediaContent(media_kind="image", caption="story mention")
    deleted = first("instagram", "deleted")
    assert isinstance(deleted, ev.MessageDeleted) and deleted.target_message_id == "ig_img_1"
    read = first("instagram", "read")
    assert isinstance(read, ev.DeliveryStatus) and read.target_message_id == "ig_echo_1"


def test_a_survey_quick_reply_carries_our_reply_id_from_the_surveyed_psid() -> None:
    qr = first("messenger", "csat_quick_reply")
    assert isinstance(qr, ev.MessageReceived) and isinstance(qr.content, ev.InteractiveContent)
    assert ev.survey_answer(qr.content.reply_id) == ("0b7e9d4c-3a51-5f7c-8e2d-6a9b1c4f3e20", 3)
    assert qr.sender.handle == "6789012345678901"  # the survey's recipient (reply.recipient)
