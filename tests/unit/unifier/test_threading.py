"""Threading rules, table-driven through the pure batch decider; peer bugs are named cases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from msgspec.structs import replace

from hotline import events as ev
from hotline import unified as un
from tests.unit.unifier.factory import ident, message
from unifier.domain.rules import ChannelPolicy, GroupingMode, RuleSet
from unifier.domain.unify import reply_token, unify
from unifier.domain.working import NewMessage, WorkingSet

ALICE = [ident("email", "alice@example.test")]
MALLORY = [ident("email", "mallory@evil.test")]
D = timedelta(days=1)


def run(
    events: list[ev.MessageReceived], rules: RuleSet | None = None
) -> tuple[WorkingSet, list[NewMessage]]:
    """Decide each event in its own batch; returns the working set and the stored messages."""
    ws = WorkingSet("acme")
    stored: list[NewMessage] = []
    for e in events:
        plan = unify(ws, [(e, ev.encode(e))], rules or RuleSet())
        stored += plan.messages
    return ws, stored


def reply(pmid: str, to: str, at: timedelta = timedelta(0)) -> ev.MessageReceived:
    hints = ev.ThreadHints(message_id=f"<{pmid}@x>", in_reply_to=[f"<{to}@x>"])
    return message(pmid, hints=hints, ids=ALICE, at=at)


EMAIL_CASES = [
    # name, follow-up message, same thread as m1?, rule
    ("In-Reply-To joins", reply("m2", "m1", at=D), True, "email.in_reply_to"),
    (
        "References join when In-Reply-To is unknown",
        message(
            "m2",
            ids=ALICE,
            at=D,
            hints=ev.ThreadHints(in_reply_to=["<zz@x>"], references=["<m1@x>", "<zz@x>"]),
        ),
        True,
        "email.references",
    ),
    (
        "non-participant reply starts a new thread (zammad#5064)",
        message(
            "m2",
            handle="mallory@evil.test",
            ids=MALLORY,
            at=D,
            hints=ev.ThreadHints(in_reply_to=["<m1@x>"]),
        ),
        False,
        "email.non_participant",
    ),
    (
        "same subject alone never threads",
        message("m2", handle="bob@example.test", ids=[ident("email", "bob@example.test")], at=D),
        False,
        "group.by_contact",
    ),
    (
        "auto-reply attaches",
        message(
            "m2",
            ids=ALICE,
            at=D,
            flags=ev.Flags(auto_reply=True),
            hints=ev.ThreadHints(in_reply_to=["<m1@x>"]),
        ),
        True,
        "email.auto_reply",
    ),
    (
        "bounce from a non-participant attaches",
        message(
            "m2",
            handle="mailer-daemon@x",
            ids=[ident("email", "mailer-daemon@x")],
            at=D,
            flags=ev.Flags(bounce=True),
            hints=ev.ThreadHints(references=["<m1@x>"]),
        ),
        True,
        "email.auto_reply",
    ),
    (
        "ARF feedback report from a non-participant attaches",
        message(
            "m2",
            handle="feedback@fbl.example.test",
            ids=[ident("email", "feedback@fbl.example.test")],
            at=D,
            flags=ev.Flags(feedback_report=True),
            hints=ev.ThreadHints(in_reply_to=["<m1@x>"]),
        ),
        True,
        "email.auto_reply",
    ),
    (
        "delay warning from a non-participant attaches",
        message(
            "m2",
            handle="mailer-daemon@x",
            ids=[ident("email", "mailer-daemon@x")],
            at=D,
            flags=ev.Flags(delivery_delayed=True),
            hints=ev.ThreadHints(in_reply_to=["<m1@x>"]),
        ),
        True,
        "email.auto_reply",
    ),
    (
        "reply after the policy window starts a new thread",
        reply("m2", "m1", at=30 * D),
        False,
        "email.in_reply_to.expired",
    ),
]


@pytest.mark.parametrize(
    ("follow", "same", "rule"), [c[1:] for c in EMAIL_CASES], ids=[c[0] for c in EMAIL_CASES]
)
def test_email_threading(follow: ev.MessageReceived, same: bool, rule: str) -> None:
    _, stored = run([message("m1", ids=ALICE), follow])
    assert (stored[1].thread_id == stored[0].thread_id) is same
    assert stored[1].rule == rule
    assert stored[1].rule_version == "1" and stored[1].evidence


def test_reply_token_joins() -> None:
    ws, stored = run([message("m1", ids=ALICE)])
    token = reply_token(stored[0].thread_id)
    follow = message("m2", ids=ALICE, at=D, hints=ev.ThreadHints(reply_token=token))
    plan = unify(ws, [(follow, b"")], RuleSet(grouping="by_address_kind"))
    assert plan.messages[0].thread_id == stored[0].thread_id
    assert plan.messages[0].rule == "email.reply_token"


def test_auto_reply_does_not_reopen_a_closed_thread() -> None:
    ws, stored = run([message("m1", ids=ALICE)])
    ws.threads[stored[0].thread_id].open = False
    auto = message(
        "m2",
        ids=ALICE,
        at=D,
        flags=ev.Flags(auto_reply=True),
        hints=ev.ThreadHints(in_reply_to=["<m1@x>"]),
    )
    plan = unify(ws, [(auto, b"")], RuleSet())
    assert plan.messages[0].thread_id == stored[0].thread_id
    assert ws.threads[stored[0].thread_id].open is False
    assert not any(isinstance(e, un.ConversationOpened) for e in plan.outbox)


@pytest.mark.parametrize(
    "flags",
    [ev.Flags(feedback_report=True), ev.Flags(delivery_delayed=True)],
    ids=["feedback report", "delay warning"],
)
def test_machine_reports_do_not_reopen_a_closed_thread(flags: ev.Flags) -> None:
    ws, stored = run([message("m1", ids=ALICE)])
    ws.threads[stored[0].thread_id].open = False
    report = message(
        "m2",
        handle="feedback@fbl.example.test",
        ids=[ident("email", "feedback@fbl.example.test")],
        at=D,
        flags=flags,
        hints=ev.ThreadHints(in_reply_to=["<m1@x>"]),
    )
    plan = unify(ws, [(report, b"")], RuleSet())
    assert plan.messages[0].thread_id == stored[0].thread_id
    assert ws.threads[stored[0].thread_id].open is False
    assert not any(isinstance(e, un.ConversationOpened) for e in plan.outbox)


def chat(pmid: str, at: timedelta, conv: str = "c1") -> ev.MessageReceived:
    return message(
        pmid,
        "whatsapp",
        handle="+4915100000001",
        at=at,
        ids=[ident("wa_id", "4915100000001")],
        hints=ev.ThreadHints(provider_conversation_id=conv),
    )


POLICY_CASES = [
    # name, policy, close first?, gap, same thread?, action-rule
    ("open thread continues", ChannelPolicy(), False, D, True, "chat.provider_thread"),
    (
        "closed thread reopens",
        ChannelPolicy(on_closed="reopen"),
        True,
        D,
        True,
        "chat.provider_thread.reopen",
    ),
    (
        "closed thread: policy says new",
        ChannelPolicy(on_closed="new"),
        True,
        D,
        False,
        "chat.provider_thread.closed_new",
    ),
    (
        "new thread after N days",
        ChannelPolicy(new_after=2 * D),
        False,
        3 * D,
        False,
        "chat.provider_thread.expired",
    ),
]


@pytest.mark.parametrize(
    ("policy", "close", "gap", "same", "rule"),
    [c[1:] for c in POLICY_CASES],
    ids=[c[0] for c in POLICY_CASES],
)
def test_chat_policy(
    policy: ChannelPolicy, close: bool, gap: timedelta, same: bool, rule: str
) -> None:
    rules = RuleSet(policies={"whatsapp": policy})
    ws, stored = run([chat("w1", timedelta(0))], rules)
    if close:
        row = ws.threads[stored[0].thread_id]
        row.open, row.closed_at = False, row.last_message_at
    plan = unify(ws, [(chat("w2", gap), b"")], rules)
    assert (plan.messages[0].thread_id == stored[0].thread_id) is same
    assert plan.messages[0].rule == rule


def three_channels() -> list[ev.MessageReceived]:
    phone = ident("phone", "+4915100000001")
    return [
        message("e1", ids=[*ALICE, phone]),
        message(
            "w1",
            "whatsapp",
            handle="+4915100000001",
            at=timedelta(hours=1),
            ids=[ident("wa_id", "4915100000001"), phone],
        ),
        message(
            "v1",
            "widget",
            handle="visitor-9",
            at=timedelta(hours=2),
            ids=[ident("widget_user", "alice-42"), *ALICE],
        ),
    ]


GROUPING_CASES: list[tuple[GroupingMode, int]] = [
    # one verified person on three channels (chatwoot#10798/#13808: no duplicate conversations)
    ("by_contact", 1),
    ("by_address", 3),
    ("by_address_kind", 3),
]


@pytest.mark.parametrize(("mode", "threads"), GROUPING_CASES)
def test_grouping_modes(mode: GroupingMode, threads: int) -> None:
    _, stored = run(three_channels(), RuleSet(grouping=mode))
    assert len({m.thread_id for m in stored}) == threads
    assert len({m.contact_id for m in stored}) == 1
    assert stored[0].rule == f"group.{mode}"


def test_by_contact_window_expires() -> None:
    late = replace(three_channels()[1], received_at=three_channels()[0].received_at + 5 * D)
    _, stored = run([three_channels()[0], late], RuleSet(window=3 * D))
    assert stored[0].thread_id != stored[1].thread_id
    assert stored[1].rule == "group.by_contact.expired"


def test_by_address_joins_sms_and_whatsapp_of_one_number() -> None:
    sms = message("s1", "sms", handle="+4915100000001", ids=[ident("phone", "+4915100000001")])
    wa = replace(chat("w1", D), thread=ev.ThreadHints())
    _, stored = run([sms, wa], RuleSet(grouping="by_address"))
    assert stored[0].thread_id == stored[1].thread_id
    _, stored = run([sms, wa], RuleSet(grouping="by_address_kind"))
    assert stored[0].thread_id != stored[1].thread_id
