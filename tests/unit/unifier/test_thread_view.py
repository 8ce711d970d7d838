"""A thread's view: canonical participants, kept current as participants are added."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hotline import events as ev
from tests.unit.unifier.factory import ident, message
from unifier.domain.rules import RuleSet
from unifier.domain.unify import unify
from unifier.domain.working import ThreadRow, WorkingSet

AT = datetime(2026, 11, 24, tzinfo=UTC)


def test_view_canonicalizes_and_follows_additions() -> None:
    row = ThreadRow("t1", "c1", "email", True, AT, AT, participants={"c1", "old"})
    canonical = {"old": "c9"}  # "old" was merged into c9
    assert set(row.view(canonical).participants) == {"c1", "c9"}
    row.add_participant("c2")
    assert set(row.view(canonical).participants) == {"c1", "c9", "c2"}
    assert row.participants == {"c1", "old", "c2"}  # as stored


def test_adding_before_the_first_view_is_seen_too() -> None:
    row = ThreadRow("t1", "c1", "email", True, AT, AT)
    row.add_participant("c3")
    assert set(row.view({}).participants) == {"c3"}


def test_a_partly_loaded_thread_still_says_someone_wrote_in_it() -> None:
    """The store loads only the batch's contacts among a thread's participants."""
    row = ThreadRow("t1", "c1", "email", True, AT, AT, has_participants=True)
    assert row.view({}).has_participants and not row.view({}).participants
    empty = ThreadRow("t2", "c1", "email", True, AT, AT)
    assert not empty.view({}).has_participants
    empty.add_participant("c4")
    assert empty.has_participants


def test_the_non_participant_rule_uses_the_flag_when_the_set_is_partial() -> None:
    alice = [ident("email", "alice@example.test")]
    first = message("m1", ids=alice)
    ws = WorkingSet("acme")
    unify(ws, [(first, ev.encode(first))], RuleSet())
    (row,) = ws.threads.values()
    row.participants.clear()  # as loaded for a batch whose sender never wrote here
    row._canonical = None
    mallory = message(
        "m2",
        handle="mallory@evil.test",
        ids=[ident("email", "mallory@evil.test")],
        at=timedelta(days=1),
        hints=ev.ThreadHints(in_reply_to=["<m1@x>"]),
    )
    plan = unify(ws, [(mallory, ev.encode(mallory))], RuleSet())
    assert [m.rule for m in plan.messages] == ["email.non_participant"]
