"""All 74 pywa WhatsApp Cloud cases: the event kinds we expect, key values, signatures, CLI."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest

from hotline import events as ev
from social_ingest.ops import OpsRecord
from social_ingest.providers.meta import verify
from social_ingest.providers.whatsapp.normalize import normalize
from tests.unit.social.helpers import CTX, kind, kinds, named_cases

SECRET = b"unit-test-app-secret"
ACCOUNT = ["ops/account_update"]
M = "message/"
EXPECTED: dict[str, dict[str, list[str]]] = {
    "account_update.json": {
        name: ACCOUNT
        for name in (
            "account_deleted",
            "account_restriction",
            "account_violation",
            "ad_account_linked",
            "authentication_international_eligibility",
            "account_disabled",
            "mm_api_for_wa_terms_of_service",
            "partner_added",
            "partner_app_installed",
            "partner_app_uninstalled",
            "partner_led_business_verification_status",
            "partner_removed",
            "partner_removed_wa_app_disconnection",
            "primary_business_location_set",
            "pricing_tiering_update",
            "account_offboarded",
            "account_reconnected",
        )
    },
    "call_connect.json": {
        "business_initiated": ["call/started"],
        "user_initiated": ["call/started"],
    },
    "call_permission_update.json": {"accept": [M + "interactive"], "reject": [M + "interactive"]},
    "call_status.json": {"call_status": ["call/started"]},  # RINGING
    "call_terminate.json": {"call_terminate": ["call/answered", "call/ended/completed"]},
    "callback_button.json": {
        "button": [M + "interactive"],
        "quick_reply": [M + "interactive"],
        "quick_reply_without_context": [M + "interactive"],
    },
    "callback_selection.json": {
        "callback": [M + "interactive"],
        "description": [M + "interactive"],
    },
    "deleted_message.json": {"revoke": ["deleted"]},
    "edited_message.json": {"image": ["edited"]},
    "flow_completion.json": {
        "completion": [M + "interactive"],
        "without_flow_token": [M + "interactive"],
    },
    "message.json": {
        "text": [M + "text"],
        "image": [M + "media"],
        "media_with_url": [M + "media"],
        "video": [M + "media"],
        "document": [M + "media"],
        "audio": [M + "media"],
        "voice": [M + "media"],
        "static_sticker": [M + "media"],
        "animated_sticker": [M + "media"],
        "reaction": ["reaction"],
        "unreaction_empty": ["reaction"],
        "unreaction_no_emoji": ["reaction"],
        "current_location": [M + "location"],
        "chosen_location": [M + "location"],
        "contacts": [M + "contacts"],
        "order": [M + "unsupported"],
        "unsupported": [M + "unsupported"],
        "unsupported_with_type": [M + "unsupported"],
        "reply": [M + "text"],
        "forwarded": [M + "text"],
        "forwarded_many_times": [M + "text"],
        "interactive_message_with_err": [M + "unsupported"],
        "referral": [M + "text"],
    },
    "message_status.json": {
        "sent": ["status/sent"],
        "delivered": ["status/delivered"],
        "read": ["status/read"],
        "played": ["status/read"],
        "failed": ["status/failed"],
        "with_tracker": ["status/sent"],
        "group": ["status/read"],
    },
    "outgoing_message.json": {"text": [M + "text"], "delete": ["deleted"], "edit": ["edited"]},
    "system.json": {"phone_number_change": [M + "text"], "identity_change": [M + "text"]},
    "template_category_update.json": {"marketing": ["ops/template_category_update"]},
    "template_components_update.json": {"element": ["ops/message_template_components_update"]},
    "template_quality_update.json": {"yellow": ["ops/message_template_quality_update"]},
    "template_status_update.json": {
        "approved": ["ops/message_template_status_update"],
        "rejected": ["ops/message_template_status_update"],
    },
    "user_marketing_preferences.json": {
        "resume": ["ops/user_preferences"],
        "signup": ["ops/user_preferences"],
    },
}
CASES = [(f, name) for f, named in EXPECTED.items() for name in named]


@pytest.fixture(scope="module")
def updates(corpora: Path) -> Path:
    return corpora / "david-lev-pywa" / "tests" / "data" / "updates"


def test_the_table_covers_exactly_the_74_corpus_cases(updates: Path) -> None:
    found = {(f.name, n) for f in updates.glob("*.json") for n in named_cases(f)}
    assert found == set(CASES)
    assert len(CASES) == 74


@pytest.mark.parametrize(("file", "case"), CASES, ids=[f"{f[:-5]}:{n}" for f, n in CASES])
def test_each_case_gives_the_expected_kinds(updates: Path, file: str, case: str) -> None:
    out = normalize(named_cases(updates / file)[case], CTX)
    assert kinds(out) == EXPECTED[file][case]
    for event in out.events:  # nothing about a message lands on ops, and vice versa
        assert event.tenant == "acme" and event.channel.kind == "whatsapp"
        assert ev.decode(ev.encode(event)) == event


def one(updates: Path, file: str, case: str) -> ev.Event:
    out = normalize(named_cases(updates / file)[case], CTX)
    assert len(out.events) == 1
    return out.events[0]


def test_text_message_values(updates: Path) -> None:
    e = one(updates, "message.json", "text")
    assert isinstance(e, ev.MessageReceived) and e.content == ev.TextContent(text="Body Text")
    assert e.provider_message_id == "wamid.xyzxyz"
    assert e.event_id == ev.event_id_for("acme", "whatsapp", "wamid.xyzxyz", "message")
    assert e.channel.account_id == "1122334455667"
    assert e.conversation_key == "acme/whatsapp/1122334455667/972987654321"
    assert e.sender.display_name == "Test Name" and e.sender.role == "customer"
    assert [(i.kind, i.value, i.verified) for i in e.sender.identifiers] == [
        ("wa_id", "972987654321", True),
        ("phone", "+972987654321", True),
    ]
    assert e.provider_timestamp is not None and int(e.provider_timestamp.timestamp()) == 1697043223


def test_media_document_and_forwarded(updates: Path) -> None:
    e = one(updates, "message.json", "document")
    assert isinstance(e, ev.MessageReceived)
    assert e.content == ev.MediaContent(media_kind="document", caption="caption")
    att = e.attachments[0]
    assert (att.ref, att.mime_type, att.filename) == (
        "provider:whatsapp/1234567890987654321",
        "application/pdf",
        "filename.pdf",
    )
    assert e.flags.forwarded
    sticker = one(updates, "message.json", "static_sticker")
    assert isinstance(sticker, ev.MessageReceived)
    assert sticker.content == ev.MediaContent(media_kind="sticker")
    want = base64.b64decode("OmT4nhjUhCMIPNmj7eeOZeCYjTXkLxoOv85OMCFwSuc=").hex()
    assert sticker.attachments[0].sha256 == want and len(want) == 64
    image = one(updates, "message.json", "image")  # "4654+8g=" is no SHA-256: not passed on
    assert isinstance(image, ev.MessageReceived) and image.attachments[0].sha256 is None


def test_reactions_and_unreactions(updates: Path) -> None:
    r = one(updates, "message.json", "reaction")
    assert isinstance(r, ev.Reaction)
    assert (r.target_message_id, r.emoji, r.removed) == ("wamid.yzxyzx=", "😮", False)
    for case in ("unreaction_empty", "unreaction_no_emoji"):
        u = one(updates, "message.json", case)
        assert isinstance(u, ev.Reaction) and u.removed and u.emoji == ""


def test_reply_context_and_frequently_forwarded(updates: Path) -> None:
    reply = one(updates, "message.json", "reply")
    assert isinstance(reply, ev.MessageReceived)
    assert reply.thread.replied_to_message_id == "wamid.xyzxyz=="
    assert not reply.flags.forwarded
    many = one(updates, "message.json", "forwarded_many_times")
    assert isinstance(many, ev.MessageReceived) and many.flags.forwarded


def test_location_contacts_order_unsupported(updates: Path) -> None:
    loc = one(updates, "message.json", "chosen_location")
    assert isinstance(loc, ev.MessageReceived)
    assert loc.content == ev.LocationContent(
        latitude=37.4611978,
        longitude=-122.2164385,
        name="Facebook HQ",
        address="1 Hacker Way, Menlo Park, CA 94025",
    )
    cards = one(updates, "message.json", "contacts")
    assert isinstance(cards, ev.MessageReceived) and isinstance(cards.content, ev.ContactsContent)
    assert [(c.name, c.phones) for c in cards.content.contacts] == [
        ("Chandler Bing", ["+15555555555"]),
        ("Monica", ["+16666666666"]),
        ("Rachel Green", ["+17777777777"]),
    ]
    order = one(updates, "message.json", "order")
    assert isinstance(order, ev.MessageReceived)
    assert order.content == ev.UnsupportedContent(
        provider_type="order",
        summary="order from catalog 354160437058781: HAMBURGER x3, FRENCH_FRIES x2, SODA x2",
    )
    pool = one(updates, "message.json", "unsupported_with_type")
    assert isinstance(pool, ev.MessageReceived) and isinstance(pool.content, ev.UnsupportedContent)
    assert pool.content.provider_type == "pool"
    assert "Message type unknown" in pool.content.summary


def test_interactive_replies(updates: Path) -> None:
    listed = one(updates, "callback_selection.json", "description")
    assert isinstance(listed, ev.MessageReceived)
    assert listed.content == ev.InteractiveContent(
        reply_id="callback_data", title="title", description="description"
    )
    assert listed.thread.replied_to_message_id == "wamid.xyzxyz"
    quick = one(updates, "callback_button.json", "quick_reply")
    assert isinstance(quick, ev.MessageReceived)
    assert quick.content == ev.InteractiveContent(reply_id="callback_data", title="title")
    flow = one(updates, "flow_completion.json", "completion")
    assert isinstance(flow, ev.MessageReceived) and isinstance(flow.content, ev.InteractiveContent)
    assert flow.content.reply_id == "flow:flow" and "flow_token" in (flow.content.description or "")
    call = one(updates, "call_permission_update.json", "reject")
    assert isinstance(call, ev.MessageReceived)
    assert call.content == ev.InteractiveContent(reply_id="call_permission:reject", title="reject")


def test_edit_and_revoke(updates: Path) -> None:
    edit = one(updates, "edited_message.json", "image")
    assert isinstance(edit, ev.MessageEdited)
    assert edit.target_message_id.startswith("wamid.HBgLMTQxMjU1NTA4Mjk")
    assert edit.content == ev.MediaContent(media_kind="image", caption="Updated image caption")
    revoke = one(updates, "deleted_message.json", "revoke")
    assert isinstance(revoke, ev.MessageDeleted)
    assert revoke.target_message_id == "<ORIGINAL_WHATSAPP_MESSAGE_ID>"
    assert revoke.sender is not None and revoke.sender.identifiers[1:] == []  # not a phone


def test_statuses(updates: Path) -> None:
    failed = one(updates, "message_status.json", "failed")
    assert isinstance(failed, ev.DeliveryStatus)
    assert (failed.target_message_id, failed.status, failed.recipient) == (
        "wamid.xyzxyz",
        "failed",
        "972987654321",
    )
    assert failed.error_code == "130472"
    assert failed.error_detail and "part of an experiment" in failed.error_detail
    sent = one(updates, "message_status.json", "sent")
    assert failed.event_id != sent.event_id  # one event per status of the same message
    assert sent.event_id == ev.event_id_for("acme", "whatsapp", "wamid.xyzxyz", "status.sent")


def test_echoes_are_agent_messages_never_customer(updates: Path) -> None:
    out = normalize(named_cases(updates / "outgoing_message.json")["text"], CTX)
    echo = out.events[0]
    assert isinstance(echo, ev.MessageReceived)
    assert echo.flags.echo and echo.sender.role == "agent"
    assert echo.conversation_key.endswith("/<WHATSAPP_USER_PHONE_NUMBER>")


def test_system_messages(updates: Path) -> None:
    change = one(updates, "system.json", "phone_number_change")
    assert isinstance(change, ev.MessageReceived) and change.sender.role == "system"
    assert change.content == ev.TextContent(text="User A changed from 972987654321 to 972912345678")


def test_ops_records_keep_the_payload_and_are_retry_safe(updates: Path) -> None:
    body = named_cases(updates / "template_status_update.json")["approved"]
    first, again = normalize(body, CTX).ops[0], normalize(body, CTX).ops[0]
    assert isinstance(first, OpsRecord) and first.event_id == again.event_id
    assert (first.field, first.name, first.channel.account_id) == (
        "message_template_status_update",
        "APPROVED",
        "102290129340398",
    )
    assert json.loads(bytes(first.payload))["message_template_name"] == "order_confirmation"


@pytest.mark.parametrize("file", sorted(EXPECTED))
def test_signature_over_stored_bytes_and_a_flipped_byte(updates: Path, file: str) -> None:
    body = (updates / file).read_bytes()
    header = verify.sign(SECRET, body)
    assert verify.signature_ok(SECRET, body, header)
    for pos in (0, len(body) // 2, len(body) - 1):
        flipped = bytearray(body)
        flipped[pos] ^= 0x01
        assert not verify.signature_ok(SECRET, bytes(flipped), header)
    assert not verify.signature_ok(b"other-secret", body, header)


def test_cli_normalizes_every_file_without_a_crash(updates: Path) -> None:
    files = sorted(EXPECTED)
    hotline = Path(sys.executable).parent / "hotline"
    args = [str(hotline), "normalize", "whatsapp", *(str(updates / f) for f in files)]
    run = subprocess.run(args, capture_output=True, text=True, check=True, timeout=60)
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(lines) == len(files)
    for file, line in zip(files, lines, strict=True):
        assert "error" not in line, line
        got = [_cli_kind(e) for e in line["events"]]
        want = [k for ks in EXPECTED[file].values() for k in ks]
        assert sorted(got) == sorted(want), file  # events first, then ops records


def _cli_kind(doc: dict[str, object]) -> str:
    if doc["type"] == "ops.update.v1":
        return f"ops/{doc['field']}"
    decoded = ev.decode(json.dumps(doc).encode())
    return kind(decoded)
