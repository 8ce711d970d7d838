"""Pure pieces of the exchange: status moves, edit history, deletes, DSN matching, a batch's
effects and their unified events, and what a split takes along."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hotline import events as ev
from hotline import unified as un
from tests.unit.unifier.factory import T0, envelope, message
from unifier.domain.effects import advance, apply_effect, delete, edit
from unifier.domain.exchange import answer_keys, bounce_candidates, bounced_reply, placeholder_id
from unifier.domain.rules import rule_set
from unifier.domain.split import SplitMessage, split_keys, split_subject
from unifier.domain.unify import unify
from unifier.domain.working import MessageState, ThreadRow, WorkingSet


def state(status: str | None = None, reply_id: str | None = "r1") -> MessageState:
    return MessageState("m1", "t1", "hello", status=status, reply_id=reply_id)


@pytest.mark.parametrize(
    ("moves", "final"),
    [
        (["sent", "delivered", "read"], "read"),
        (["sent", "read", "delivered"], "read"),  # a late delivered never goes back
        (["read", "sent"], "read"),
        (["sent", "failed", "delivered", "read"], "failed"),  # failed is final
        (["delivered", "window_closed", "sent"], "window_closed"),
        (["accepted", "sent", "sent"], "sent"),
    ],
)
def test_statuses_only_move_forward(moves: list[str], final: str) -> None:
    s = state("requested")
    for m in moves:
        advance(s, m)
    assert s.status == final


def test_a_repeated_status_is_no_change() -> None:
    s = state("requested")
    assert advance(s, "sent") and not advance(s, "sent")
    assert (
        advance(s, "failed", "131047: re-engagement") and s.status_detail == "131047: re-engagement"
    )
    assert not advance(s, "failed", "other") and s.status_detail == "131047: re-engagement"


def test_edits_keep_history_and_a_redelivered_edit_changes_nothing() -> None:
    s = state()
    assert edit(s, "hello!", "t1", "e1")
    assert edit(s, "hello!!", "t2", "e2")
    assert not edit(s, "hello!", "t1", "e1")  # the first edit again, after the second
    assert not edit(s, "hello!!", "t3", "e3")  # the same text
    assert s.text == "hello!!" and [h["text"] for h in s.history] == ["hello", "hello!"]
    assert edit(s, "hello", "t4", "e4")  # a real revert is an edit
    assert s.text == "hello"


def test_a_delete_hides_the_text_and_ends_edits() -> None:
    s = state()
    assert delete(s, "t1", "d1") and not delete(s, "t2", "d1")
    assert (s.text, s.deleted, s.history[-1]["text"]) == ("", True, "hello")
    assert not edit(s, "back", "t3", "e1") and s.text == ""


def test_provider_errors_reach_the_status_detail() -> None:
    s = state("sent")
    failed = ev.DeliveryStatus(
        **envelope("whatsapp", "st1"),
        target_message_id="wamid.1",
        status="failed",
        error_code="131026",
        error_detail="Message undeliverable",
    )
    assert apply_effect(s, failed) == "status"
    assert (s.status, s.status_detail) == ("failed", "131026: Message undeliverable")


def dsn(**hints: object) -> ev.MessageReceived:
    return message(
        "dsn1",
        role="system",
        flags=ev.Flags(bounce=True),
        hints=ev.ThreadHints(message_id="<d@mx>", **hints),  # type: ignore[arg-type]
    )


def test_a_dsn_names_the_bounced_mail_by_its_original_id_first() -> None:
    d = dsn(replied_to_message_id="<o@us>", in_reply_to=["<i@us>"], references=["<a@x>", "<b@x>"])
    assert bounce_candidates(d) == [("email", m) for m in ["<o@us>", "<i@us>", "<b@x>", "<a@x>"]]
    assert bounce_candidates(dsn(replied_to_message_id="<hotline.x@y@z>")) == [
        ("email", "<hotline.x@y@z>")  # not one of ours
    ]
    assert bounce_candidates(message("m1")) == []  # not a bounce
    for flags in (ev.Flags(delivery_delayed=True), ev.Flags(feedback_report=True)):
        report = message("r1", role="system", flags=flags, hints=d.thread)
        assert bounce_candidates(report) == []  # a delay or a complaint never fails our reply
    ours = state("sent")
    customers = state(reply_id=None)
    found = bounced_reply({("email", "<i@us>"): ours, ("email", "<o@us>"): customers}, d)
    assert found == (("email", "<i@us>"), ours)  # a customer's message is not our reply
    assert bounced_reply({("email", "<b@x>"): customers}, d) is None


def test_a_dsn_that_beats_the_reply_result_finds_the_reply_by_our_message_id() -> None:
    ours = state("requested", reply_id="6f1c-42")
    d = dsn(replied_to_message_id="<hotline.6f1c-42@mail.acme.test>")
    assert bounce_candidates(d) == [
        ("email", "<hotline.6f1c-42@mail.acme.test>"),
        ("email", placeholder_id("6f1c-42")),
    ]
    assert bounced_reply({("email", placeholder_id("6f1c-42")): ours}, d) == (
        ("email", placeholder_id("6f1c-42")),
        ours,
    )


def test_a_batch_with_a_dsn_and_held_effects() -> None:
    ws = WorkingSet("acme")
    ws.threads["t1"] = ThreadRow("t1", "c1", "email", False, T0, T0, T0)
    ours = ws.messages[("email", "<r1@us>")] = state("sent")
    bounce = dsn(replied_to_message_id="<r1@us>")
    bounce.bounce_status = "5.1.1"
    early = ev.MessageEdited(
        **envelope("whatsapp", "ed1"),
        target_message_id="w9",
        sender=ev.Sender(handle="+49"),
        content=ev.TextContent(text="edited"),
    )
    w9 = message("w9", "whatsapp", handle="+49", at=timedelta(minutes=1))
    plan = unify(ws, [(bounce, b""), (early, b""), (w9, b"")], rule_set("1"))
    assert ours.status == "failed" and (ours.status_detail or "").startswith("bounce 5.1.1: ")
    assert plan.messages[0].thread_id == "t1" and plan.messages[0].rule == "email.bounce_of_reply"
    assert not ws.threads["t1"].open  # attached without reopening
    tags = [un.unified_tag(e) for e in plan.outbox]
    assert tags[:2] == ["conversation.message.added.v1", "conversation.reply.status.v1"]
    assert tags[-2:] == ["conversation.message.added.v1", "conversation.message.updated.v1"]
    assert ws.messages[("whatsapp", "w9")].text == "edited" and plan.held_done == {
        ("whatsapp", "w9")
    }


def split_row(kind: str, pmid: str, direction: str, event: object) -> SplitMessage:
    payload = ev.encode(event)  # type: ignore[arg-type]
    return SplitMessage(kind, "acct", pmid, direction, payload)


def test_a_split_takes_message_ids_and_provider_threads_along() -> None:
    mail = message("e2", hints=ev.ThreadHints(message_id="<e2@x>", in_reply_to=["<e1@x>"]))
    slack = message("s1", "slack", hints=ev.ThreadHints(chat_thread_id="171.5"))
    request = ev.ReplyRequested(
        event_id="r",
        reply_id="r1",
        tenant="acme",
        channel=ev.ChannelRef(kind="email", account_id="a"),
        conversation_id="t1",
        recipient="alice@example.test",
        content=ev.TextContent(text="hi"),
        requested_at=T0,
        requested_by="agent",
    )
    rows = [
        split_row("email", "e2", "inbound", mail),
        split_row("slack", "s1", "inbound", slack),
        split_row("email", "<hotline.r1@us>", "outbound", request),
        split_row("email", placeholder_id("r2"), "outbound", request),  # not sent yet
    ]
    assert split_keys(rows) == {"mid:<e2@x>", "pt:slack:acct:171.5", "mid:<hotline.r1@us>"}
    assert split_subject(rows, "Order 1") == "Help"
    assert split_subject(rows[1:], "Order 1") == "Split: Order 1"


def result(kind: ev.ChannelKind, status: str, pmid: str | None, thread: str) -> ev.ReplyResult:
    return ev.ReplyResult(
        event_id=f"e-{thread}",
        reply_id=f"r-{thread}",
        tenant="acme",
        channel=ev.ChannelRef(kind=kind, account_id="acct"),
        conversation_id=thread,
        status=status,  # type: ignore[arg-type]
        completed_at=T0,
        provider_message_id=pmid,
    )


def test_only_a_sent_email_reply_leads_an_answer_to_its_thread() -> None:
    results = [
        result("email", "sent", "<r1@us>", "t1"),
        result("email", "failed", "<r2@us>", "t2"),
        result("email", "sent", None, "t3"),
        result("whatsapp", "sent", "wamid.4", "t4"),
    ]
    assert answer_keys(results) == {"mid:<r1@us>": "t1"}
