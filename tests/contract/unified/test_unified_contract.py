"""The unified contract may only grow; its snapshot pins what integrators subscribe to.

To accept an additive change, regenerate unified.schema.json from ``unified.json_schema()``
(msgspec.json.format(..., indent=2)) and commit it; anything else needs a new ``.v2`` tag.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec

from hotline import events as ev
from hotline import unified as un
from tests.contract.test_contract import additive_violations

SNAPSHOT = Path(__file__).parent / "unified.schema.json"
AT = datetime(2026, 11, 1, tzinfo=UTC)
INFO = un.DecisionInfo(
    rule="email.in_reply_to", evidence="In-Reply-To matched <m1@x>", rule_version="1"
)


VOICE = ev.ChannelRef(kind="voice", account_id="AC0123")
CALL = un.CallRecord(
    call_id="CA5f",
    channel=VOICE,
    direction="inbound",
    caller="+4930123456789",
    line="+4930555000111",
    status="ended",
    outcome="abandoned",
    started_at=AT,
    ended_at=AT,
    duration_s=40,
    wait_s=40,
    cause="abandoned-in-queue",
    queue="support-de",
    ivr_selection="2",
    recordings=[
        un.CallRecordingInfo(
            ref="provider:twilio/RE0f",
            recording_id="RE0f",
            mime_type="audio/mpeg",
            duration_s=38,
            channels=2,
            fetch_error="timeout",
        )
    ],
    transcripts=[un.CallTranscriptInfo(text="hello?", language="en", engine="twilio")],
    voicemail=un.CallVoicemailInfo(ref="blob:sha256/ab", mime_type="audio/wav", duration_s=9),
    needs_callback=True,
)
# What integrators received for a call (golden: it must keep decoding to the same record).
CALL_UPDATED_GOLDEN = (
    b'{"type":"conversation.call.updated.v1","event_id":"e","tenant":"acme",'
    b'"occurred_at":"2026-11-01T00:00:00Z","conversation_id":"t1","message_id":"m9",'
    b'"contact_id":"c1","call":{"call_id":"CA5f","channel":{"kind":"voice","account_id":'
    b'"AC0123"},"direction":"inbound","caller":"+4930123456789","line":"+4930555000111",'
    b'"status":"ended","outcome":"abandoned","started_at":"2026-11-01T00:00:00Z",'
    b'"ended_at":"2026-11-01T00:00:00Z","duration_s":40,"wait_s":40,'
    b'"cause":"abandoned-in-queue","queue":"support-de","ivr_selection":"2","recordings":'
    b'[{"ref":"provider:twilio/RE0f","recording_id":"RE0f","mime_type":"audio/mpeg",'
    b'"duration_s":38,"channels":2,"fetch_error":"timeout"}],"transcripts":[{"text":"hello?",'
    b'"language":"en","engine":"twilio"}],"voicemail":{"ref":"blob:sha256/ab","mime_type":'
    b'"audio/wav","duration_s":9},"needs_callback":true},"source_event_id":"s9"}'
)


def current() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(msgspec.json.encode(un.json_schema()))
    return schema


def test_snapshot_is_up_to_date() -> None:
    assert current() == json.loads(SNAPSHOT.read_text())


def test_changes_are_additive() -> None:
    assert additive_violations(json.loads(SNAPSHOT.read_text()), current()) == []


def samples() -> list[un.UnifiedEvent]:
    ch = ev.ChannelRef(kind="email", account_id="support@acme.test")
    common: dict[str, Any] = {"event_id": "e", "tenant": "acme", "occurred_at": AT}
    return [
        un.ConversationMessageAdded(
            **common,
            conversation_id="t1",
            message_id="m1",
            source_event_id="s1",
            channel=ch,
            provider_message_id="p1",
            contact_id="c1",
            sender_handle="a@x",
            content=ev.TextContent(text="hi"),
            decision=INFO,
            language="fr",
        ),
        un.ConversationOpened(**common, conversation_id="t1", contact_id="c1", decision=INFO),
        un.ConversationClosed(**common, conversation_id="t1", closed_by="agent:1"),
        un.ContactLinked(
            **common,
            contact_id="c1",
            decision=INFO,
            identity=ev.Identifier(kind="email", value="a@x", source="dkim"),
        ),
        un.ContactMerged(
            **common,
            contact_id="c1",
            merged_contact_id="c2",
            merged_by="agent",
            decision=INFO,
            identity=ev.Identifier(kind="phone", value="+49151", source="agent", verified=True),
            suggestion_id="s1",
        ),
        un.ContactUnmerged(
            **common,
            contact_id="c1",
            unmerged_contact_id="c2",
            unmerged_by="agent",
            decision=INFO,
            restored_messages=2,
        ),
        un.ContactSuggested(
            **common,
            contact_id="c1",
            suggested_contact_id="c2",
            suggestion_id="s1",
            identity=ev.Identifier(
                kind="phone", value="+49151", source="sms.from", level="carrier_asserted"
            ),
            source_event_id="m1",
            decision=INFO,
        ),
        un.ContactSuggestionDismissed(
            **common,
            contact_id="c1",
            suggested_contact_id="c2",
            suggestion_id="s1",
            dismissed_by="agent",
            decision=INFO,
        ),
        un.ThreadDecided(
            **common,
            conversation_id="t2",
            message_id="m1",
            action="split",
            previous_conversation_id="t1",
            decision=INFO,
        ),
        un.ConversationReplyAdded(
            **common,
            conversation_id="t1",
            message_id="r1",
            reply_id="r1",
            channel=ch,
            author="agent:1",
            recipient="a@x",
            content=ev.TextContent(text="we are on it"),
        ),
        un.ConversationReplyStatus(
            **common,
            conversation_id="t1",
            message_id="r1",
            reply_id="r1",
            channel=ch,
            status="failed",
            provider_message_id="<hotline.r1@acme.test>",
            detail="bounce 5.1.1: no such user",
        ),
        un.ConversationMessageUpdated(
            **common,
            conversation_id="t1",
            message_id="m1",
            channel=ch,
            provider_message_id="p1",
            change="edited",
            text="hi, again",
            edits=1,
            reactions={"+1": ["a@x"]},
            source_event_id="s2",
        ),
        un.ConversationAssigned(
            **common, conversation_id="t1", assignee="a1", reason="auto.round_robin", team_id="g"
        ),
        un.ConversationNoteAdded(
            **common, conversation_id="t1", note_id="n1", author="a1", text="call back at 5"
        ),
        un.ConversationLabelsChanged(
            **common, conversation_id="t1", labels=["billing"], added=["billing"], by="a1"
        ),
        un.ConversationSnoozed(**common, conversation_id="t1", until=AT, by="a1"),
        un.ConversationWaiting(
            **common, conversation_id="t1", waiting=True, at=AT, since=AT, by="a1"
        ),
        un.ChannelAccountChanged(
            **common,
            kind="whatsapp",
            account_id="106540352242922",
            name="Support +1 555 0100",
            settings={"graph_version": "v21.0"},
            secrets={"app_secret": ["gAAAAAnewest", "gAAAAAolder"]},
            enabled=True,
            version=3,
        ),
        un.ConversationCallUpdated(
            **common,
            conversation_id="t1",
            message_id="m9",
            contact_id="c1",
            call=CALL,
            source_event_id="s9",
        ),
        un.ConversationCallbackRequested(
            **common,
            conversation_id="t1",
            callback_id="cb1",
            requested_by="a1",
            number="+4930123456789",
            channel=VOICE,
            call_id="CA5f",
            note="before 5 pm",
        ),
        *sla_samples(common),
        un.ConversationEscalated(
            **common,
            conversation_id="t1",
            reason="sla.warning",
            cause_id="w1",
            detail="first_response warning of policy vip",
            from_team_id="g",
            team_id="g2",
            supervisor="a9",
            previous="a1",
            policy="vip",
            target="first_response",
            cycle=1,
            n=0,
            named_by="sla_policy",
        ),
        un.CsatRequested(
            **common,
            conversation_id="t1",
            survey_id="sv1",
            cycle=1,
            channel=VOICE,
            recipient="+4930123456789",
            agent="a1",
            scale=5,
            expires_at=AT,
            reply_id="r9",
        ),
        un.CsatAnswered(
            **common,
            conversation_id="t1",
            survey_id="sv1",
            cycle=1,
            channel=VOICE,
            agent="a1",
            score=4,
            scale=5,
            comment="quick, thanks",
            revision=2,
            source_event_id="s10",
        ),
    ]


def sla_samples(common: dict[str, Any]) -> list[un.UnifiedEvent]:
    clock: dict[str, Any] = {
        **common,
        "conversation_id": "t1",
        "cycle": 2,
        "target": "next_response",
        "n": 1,
        "policy": "vip",
        "due_at": AT,
        "at": AT,
        "started_at": AT,
        "target_seconds": 3600,
        "contact_id": "c1",
        "channel_kind": "whatsapp",
        "assignee": "a1",
        "team_id": "g",
        "priority": "high",
    }
    return [un.SlaWarning(**clock), un.SlaBreached(**clock), un.SlaFulfilled(**clock)]


ACCOUNT_KEY = b"whatsapp:106540352242922"


def test_every_tag_round_trips_with_its_topic_and_key() -> None:
    for event in samples():
        assert un.decode(un.encode(event)) == event
        if isinstance(event, un.ChannelAccountChanged):
            assert un.unified_topic(event) == "hotline.channel-accounts.v1"
            assert un.unified_key(event) == ACCOUNT_KEY
            continue
        contact = un.unified_tag(event).startswith("contact.")
        assert un.unified_topic(event) == (
            "hotline.contacts" if contact else "hotline.conversations"
        )
        assert un.unified_key(event) == (b"c1" if contact else event.conversation_id.encode())  # type: ignore[union-attr]


def test_tags_are_versioned() -> None:
    assert sorted(un.unified_tag(e) for e in samples()) == sorted(
        [
            "conversation.message.added.v1",
            "conversation.opened.v1",
            "conversation.closed.v1",
            "contact.linked.v1",
            "contact.merged.v1",
            "contact.unmerged.v1",
            "contact.suggested.v1",
            "contact.suggestion.dismissed.v1",
            "thread.decided.v1",
            "conversation.reply.added.v1",
            "conversation.reply.status.v1",
            "conversation.message.updated.v1",
            "conversation.assigned.v1",
            "conversation.note.added.v1",
            "conversation.labels.changed.v1",
            "conversation.snoozed.v1",
            "conversation.waiting.v1",
            "channel.account.changed.v1",
            "conversation.call.updated.v1",
            "conversation.callback.requested.v1",
            "sla.warning.v1",
            "sla.breached.v1",
            "sla.fulfilled.v1",
            "conversation.escalated.v1",
            "csat.requested.v1",
            "csat.answered.v1",
        ]
    )


def test_a_removed_account_decodes_with_its_defaults() -> None:
    raw = (
        b'{"type":"channel.account.changed.v1","event_id":"e","tenant":"acme",'
        b'"occurred_at":"2026-11-01T00:00:00Z","kind":"sms","account_id":"AC1","name":"n",'
        b'"version":4,"removed":true}'
    )
    event = un.decode(raw)
    assert isinstance(event, un.ChannelAccountChanged)
    assert (event.removed, event.secrets, event.settings, event.enabled) == (True, {}, {}, True)


def test_fast_uuid5_is_uuid5() -> None:
    import uuid

    for namespace in (un.UNIFIED_NAMESPACE, ev.EVENT_NAMESPACE):
        for name in ["", "a", "tenant\x1fevent\x1fadded", "é" * 40]:
            assert ev.uuid5_str(namespace, name) == str(uuid.uuid5(namespace, name))
    assert ev.event_id_for("acme", "slack", "1.2", "") == str(
        uuid.uuid5(ev.EVENT_NAMESPACE, "acme\x1fslack\x1f1.2\x1f")
    )


def test_time_ordered_ids_are_uuid7_deterministic_and_sort_by_time() -> None:
    import uuid
    from datetime import UTC, datetime, timedelta

    t0 = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
    ids = [
        un.time_ordered_str(un.UNIFIED_NAMESPACE, f"e{i}", t0 + timedelta(milliseconds=i))
        for i in range(50, 0, -1)  # names and times in opposite orders
    ]
    assert [uuid.UUID(i).version for i in ids] == [7] * 50
    assert all(str(uuid.UUID(i)) == i and uuid.UUID(i).variant == uuid.RFC_4122 for i in ids)
    assert sorted(ids) == ids[::-1]
    assert ids[0] == un.time_ordered_str(un.UNIFIED_NAMESPACE, "e50", t0 + timedelta(0, 0, 50000))
    assert uuid.UUID(ids[-1]).int >> 80 == int(t0.timestamp() * 1000) + 1  # RFC 9562 unix_ts_ms
    same_ms = {un.time_ordered_str(un.UNIFIED_NAMESPACE, f"x{i}", t0) for i in range(1000)}
    assert len(same_ms) == 1000  # 74 bits of the name's hash tell them apart


# What integrators received for an escalation (golden: it must keep decoding the same).
ESCALATED_GOLDEN = (
    b'{"type":"conversation.escalated.v1","event_id":"e","tenant":"acme",'
    b'"occurred_at":"2026-11-01T00:00:00Z","conversation_id":"t1","reason":"sla.warning",'
    b'"cause_id":"w1","detail":"first_response warning of policy vip","from_team_id":"g",'
    b'"team_id":"g2","supervisor":"a9","previous":"a1"}'
)


def test_the_escalation_golden_sample_keeps_decoding() -> None:
    event = un.decode(ESCALATED_GOLDEN)
    assert isinstance(event, un.ConversationEscalated)
    assert (event.reason, event.cause_id, event.team_id, event.supervisor) == (
        "sla.warning",
        "w1",
        "g2",
        "a9",
    )
    assert un.encode(event) == ESCALATED_GOLDEN
    minimal = un.decode(
        b'{"type":"conversation.escalated.v1","event_id":"e","tenant":"acme",'
        b'"occurred_at":"2026-11-01T00:00:00Z","conversation_id":"t1","reason":"sla.warning"}'
    )
    assert isinstance(minimal, un.ConversationEscalated) and minimal.team_id is None
    assert (event.policy, event.target, event.named_by) == (None, None, None)  # before 0022


# An escalation named by the SLA policy, with its reason: the policy and the clock.
ESCALATED_BY_POLICY_GOLDEN = (
    b'{"type":"conversation.escalated.v1","event_id":"e","tenant":"acme",'
    b'"occurred_at":"2026-11-01T00:00:00Z","conversation_id":"t1","reason":"sla.warning",'
    b'"cause_id":"w1","detail":"first_response warning of SLA policy vip at '
    b'2026-11-01T00:48:00+00:00; target named by the SLA policy","from_team_id":"g",'
    b'"supervisor":"a9","previous":"a1","policy":"vip","target":"first_response","cycle":1,'
    b'"n":0,"named_by":"sla_policy"}'
)


def test_the_escalation_by_policy_golden_sample_keeps_decoding() -> None:
    event = un.decode(ESCALATED_BY_POLICY_GOLDEN)
    assert isinstance(event, un.ConversationEscalated)
    assert (event.policy, event.target, event.cycle, event.n, event.named_by) == (
        "vip",
        "first_response",
        1,
        0,
        "sla_policy",
    )
    assert (event.supervisor, event.team_id) == ("a9", None)
    assert un.encode(event) == ESCALATED_BY_POLICY_GOLDEN


def test_the_call_record_golden_sample_keeps_decoding() -> None:
    event = un.decode(CALL_UPDATED_GOLDEN)
    assert isinstance(event, un.ConversationCallUpdated) and event.call == CALL
    assert un.encode(event) == CALL_UPDATED_GOLDEN


# What integrators receive when a clock breaches (golden: it must keep decoding the same).
SLA_BREACHED_GOLDEN = (
    b'{"type":"sla.breached.v1","event_id":"e","tenant":"acme",'
    b'"occurred_at":"2026-11-01T00:00:00Z","conversation_id":"t1","cycle":2,'
    b'"target":"next_response","n":1,"policy":"vip","due_at":"2026-11-01T00:00:00Z",'
    b'"at":"2026-11-01T00:00:00Z","started_at":"2026-11-01T00:00:00Z","target_seconds":3600,'
    b'"contact_id":"c1","channel_kind":"whatsapp","assignee":"a1",'
    b'"team_id":"g","priority":"high"}'
)


def test_the_sla_golden_sample_keeps_decoding() -> None:
    common: dict[str, Any] = {"event_id": "e", "tenant": "acme", "occurred_at": AT}
    event = un.decode(SLA_BREACHED_GOLDEN)
    assert event == sla_samples(common)[1]
    assert un.encode(event) == SLA_BREACHED_GOLDEN
    assert (un.unified_topic(event), un.unified_key(event)) == ("hotline.conversations", b"t1")


# conversation.message.added.v1 as published before triage: it keeps decoding, language unknown
MESSAGE_ADDED_BEFORE_TRIAGE = (
    b'{"type":"conversation.message.added.v1","event_id":"e","tenant":"acme",'
    b'"occurred_at":"2026-11-01T00:00:00Z","conversation_id":"t1","message_id":"m1",'
    b'"source_event_id":"s1","channel":{"kind":"email","account_id":"support@acme.test"},'
    b'"provider_message_id":"p1","contact_id":"c1","sender_handle":"a@x","role":"customer",'
    b'"content":{"kind":"text","text":"hi"},"attachments":[],"decision":{"rule":'
    b'"email.in_reply_to","evidence":"In-Reply-To matched <m1@x>","rule_version":"1"}}'
)


def test_a_message_added_before_triage_decodes_without_a_language() -> None:
    event = un.decode(MESSAGE_ADDED_BEFORE_TRIAGE)
    assert isinstance(event, un.ConversationMessageAdded)
    assert event.language is None and event.content == ev.TextContent(text="hi")


# What integrators receive when a wait on the customer begins (an agent) and ends (the
# customer's message): golden, each must keep decoding to the same event.
WAITING_GOLDEN = (
    b'{"type":"conversation.waiting.v1","event_id":"e1","tenant":"acme",'
    b'"occurred_at":"2026-11-01T00:00:00Z","conversation_id":"t1","waiting":true,'
    b'"at":"2026-11-01T00:00:00Z","since":"2026-11-01T00:00:00Z","by":"a1"}',
    b'{"type":"conversation.waiting.v1","event_id":"e2","tenant":"acme",'
    b'"occurred_at":"2026-11-01T00:05:00Z","conversation_id":"t1","waiting":false,'
    b'"at":"2026-11-01T00:05:00Z","since":"2026-11-01T00:00:00Z","reason":"customer_message"}',
)


def test_the_waiting_golden_samples_keep_decoding() -> None:
    began, ended = (un.decode(raw) for raw in WAITING_GOLDEN)
    assert isinstance(began, un.ConversationWaiting) and isinstance(ended, un.ConversationWaiting)
    assert (began.waiting, began.by, began.reason, began.since) == (True, "a1", "manual", AT)
    assert (ended.waiting, ended.by, ended.reason, ended.since) == (
        False,
        None,
        "customer_message",
        AT,
    )
    assert [un.encode(e) for e in (began, ended)] == list(WAITING_GOLDEN)
    assert un.unified_topic(ended) == "hotline.conversations" and un.unified_key(ended) == b"t1"
