"""WhatsApp Cloud calling webhooks become call events (not ops records): our recorded calls
fixture (tests/fixtures/social/whatsapp/calls.json) and the pywa corpus cases, one table row
per case with every value that matters; ids follow the contract and a call shares its
conversation with the same user's WhatsApp messages."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hotline import events as ev
from hotline.accounts import Account
from hotline.topics import INBOUND_SOCIAL, OPS
from social_ingest.providers.whatsapp.normalize import normalize
from tests.unit.social.edges import in_process
from tests.unit.social.helpers import CTX, FIXTURES, kinds, named_cases
from tests.unit.social.test_account_routing import NO_ENV_META, PATH, signed

CASES = named_cases(FIXTURES / "whatsapp" / "calls.json")
PNID, BIZ, USER = "106540352242922", "4930555000111", "4915112345678"
IN = "wacid.HBgNNDkxNTExMjM0NTY3OBUCABEYEjQ4QTcyRjM5QjE5N0YwRTg2MwA="
OUT = "wacid.HBgNNDkxNTExMjM0NTY3OBUCABEYEkM5MDNFMzY1MDlGQUQ3Qjg0NQA="
MISS = "wacid.HBgNNDkxNTExMjM0NTY3OBUCABEYEjFEMjBBQzQ5QjNBMTVGMjQ0MQA="
REJ = "wacid.HBgNNDkxNTExMjM0NTY3OBUCABEYEjdBNEE5OTI2MUQyMEQ2NzFDRQA="

# case -> [(type, call id, direction, provider unix time, step-specific values)]
TABLE: dict[str, list[tuple[type[ev.Event], str, str, int, dict[str, object]]]] = {
    "user_initiated_connect": [(ev.CallStarted, IN, "inbound", 1796630400, {})],
    "user_initiated_terminate_completed": [
        (ev.CallAnswered, IN, "inbound", 1796630417, {"answered_by": BIZ}),
        (
            ev.CallEnded,
            IN,
            "inbound",
            1796630512,
            {"outcome": "completed", "duration_s": 95, "talk_s": 95, "cause": "COMPLETED"},
        ),
    ],
    "user_initiated_terminate_unanswered": [
        (
            ev.CallEnded,
            MISS,
            "inbound",
            1796634030,
            {"outcome": "no_answer", "duration_s": None, "talk_s": None, "cause": "COMPLETED"},
        ),
    ],
    "business_initiated_connect": [(ev.CallStarted, OUT, "outbound", 1796637600, {})],
    "business_initiated_ringing": [(ev.CallStarted, OUT, "outbound", 1796637601, {})],
    "business_initiated_accepted": [
        (ev.CallAnswered, OUT, "outbound", 1796637609, {"answered_by": USER})
    ],
    "business_initiated_terminate_completed": [
        (ev.CallAnswered, OUT, "outbound", 1796637609, {"answered_by": USER}),
        (
            ev.CallEnded,
            OUT,
            "outbound",
            1796637850,
            {"outcome": "completed", "duration_s": 241, "talk_s": 241},
        ),
    ],
    "business_initiated_rejected": [
        (ev.CallEnded, REJ, "outbound", 1796641205, {"outcome": "busy", "cause": "REJECTED"}),
    ],
    "business_initiated_terminate_failed": [
        (
            ev.CallEnded,
            REJ,
            "outbound",
            1796641206,
            {
                "outcome": "failed",
                "talk_s": None,
                "cause": "FAILED (138006 Lack of call permission - "
                "No approved call permission from the recipient)",
            },
        ),
    ],
}
STEPS = {
    ev.CallStarted: "call.started",
    ev.CallAnswered: "call.answered",
    ev.CallEnded: "call.ended",
}


def test_the_table_covers_every_recorded_case() -> None:
    assert set(TABLE) == set(CASES)


@pytest.mark.parametrize("case", sorted(TABLE))
def test_each_call_case(case: str) -> None:
    out = normalize(CASES[case], CTX)
    assert out.ops == []  # a call is no ops record any more
    assert len(out.events) == len(TABLE[case])
    for event, (kind, call_id, direction, at, values) in zip(out.events, TABLE[case], strict=True):
        assert type(event) is kind and isinstance(event, ev.CallEnvelope)
        assert (event.call_id, event.direction, event.line) == (call_id, direction, BIZ)
        assert event.provider_timestamp == datetime.fromtimestamp(at, UTC)
        assert event.channel == ev.ChannelRef(kind="whatsapp", account_id=PNID)
        assert event.provider_message_id == call_id
        assert event.event_id == ev.event_id_for("acme", "whatsapp", call_id, STEPS[kind])
        assert {k: getattr(event, k) for k in values} == values
        assert ev.decode(ev.encode(event)) == event


@pytest.mark.parametrize("case", sorted(TABLE))
def test_the_caller_is_the_whatsapp_user_like_a_message_sender(case: str) -> None:
    for event in normalize(CASES[case], CTX).events:
        assert isinstance(event, ev.CallEnvelope)
        caller = event.caller
        assert (caller.handle, caller.role) == (USER, "customer")
        assert [(i.kind, i.value, i.level) for i in caller.identifiers] == [
            ("wa_id", USER, "provider_verified"),
            ("phone", "+" + USER, "provider_verified"),
        ]
        assert event.conversation_key == f"acme/whatsapp/{PNID}/{USER}"


def test_a_call_shares_the_conversation_of_the_users_messages() -> None:
    text = json.loads(CASES["user_initiated_connect"])
    value = text["entry"][0]["changes"][0]["value"]
    value.pop("calls")
    value["messages"] = [
        {"from": USER, "id": "wamid.t1", "timestamp": "1796630300", "type": "text",
         "text": {"body": "Can I call you about my router?"}}
    ]  # fmt: skip
    text["entry"][0]["changes"][0]["field"] = "messages"
    message = normalize(json.dumps(text).encode(), CTX).events[0]
    call = normalize(CASES["user_initiated_connect"], CTX).events[0]
    assert isinstance(message, ev.MessageReceived) and isinstance(call, ev.CallStarted)
    assert message.conversation_key == call.conversation_key
    assert message.sender.identifiers == call.caller.identifiers
    assert call.caller.display_name == "Jana Weber"


def test_repeated_webhooks_are_the_same_events_and_steps_differ() -> None:
    first = normalize(CASES["user_initiated_terminate_completed"], CTX).events
    again = normalize(CASES["user_initiated_terminate_completed"], CTX).events
    assert [e.event_id for e in first] == [e.event_id for e in again]
    ringing = normalize(CASES["business_initiated_ringing"], CTX).events[0]
    connect = normalize(CASES["business_initiated_connect"], CTX).events[0]
    assert ringing.event_id == connect.event_id  # the same step of the same call: one event
    assert len({e.event_id for e in first}) == 2


def test_a_calls_change_with_nothing_about_a_call_stays_an_ops_record() -> None:
    doc = json.loads(CASES["business_initiated_ringing"])
    doc["entry"][0]["changes"][0]["value"]["statuses"][0]["status"] = "SOMETHING_NEW"
    out = normalize(json.dumps(doc).encode(), CTX)
    assert out.events == [] and [o.field for o in out.ops] == ["calls"]


def test_a_malformed_call_rejects_the_whole_body() -> None:
    doc = json.loads(CASES["user_initiated_connect"])
    del doc["entry"][0]["changes"][0]["value"]["calls"][0]["from"]
    with pytest.raises(Exception, match="calls\\[0\\]") as info:
        normalize(json.dumps(doc).encode(), CTX)
    assert getattr(info.value, "reason", None) == "schema_mismatch"


def test_pywa_business_initiated_connect_with_our_number_on_the_to_side(corpora: Path) -> None:
    """pywa's case names the business number as ``to``: the user is still the other side."""
    root = corpora / "david-lev-pywa" / "tests" / "data" / "updates"
    out = normalize(named_cases(root / "call_connect.json")["business_initiated"], CTX)
    assert kinds(out) == ["call/started"]
    call = out.events[0]
    assert isinstance(call, ev.CallStarted)
    assert (call.direction, call.caller.handle, call.line) == (
        "outbound",
        "16315553602",
        "16315553601",
    )


def for_number(case: str, number: str) -> bytes:
    doc = json.loads(CASES[case])
    doc["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = number
    return json.dumps(doc).encode()


async def test_the_edge_routes_a_call_by_its_number_and_publishes_to_the_social_topic() -> None:
    """Through the whole app in process: the call's phone number id picks the account (its
    tenant, its secret); an unknown number is 404, a wrong secret 401, and neither produces."""
    number = Account("whatsapp", "pn-call", "tenant-c", {"app_secret": ("sec-c",)}, version=1)
    body, unknown = (
        for_number("user_initiated_connect", "pn-call"),
        for_number("user_initiated_connect", "pn-nobody"),
    )
    async with in_process(unset=NO_ENV_META) as svc:
        svc.accounts.put(number)
        post = svc.client.post
        assert (
            await post(PATH, content=unknown, headers=signed("sec-c", unknown))
        ).status_code == 404
        assert (await post(PATH, content=body, headers=signed("other", body))).status_code == 401
        assert svc.fake.published == []
        assert (await post(PATH, content=body, headers=signed("sec-c", body))).status_code == 200
    assert svc.fake.events_on(OPS) == []
    [call] = svc.fake.events_on(INBOUND_SOCIAL)
    assert isinstance(call, ev.CallStarted) and call.tenant == "tenant-c"
    assert call.event_id == ev.event_id_for("tenant-c", "whatsapp", IN, "call.started")
