"""A thread's view: canonical participants, kept current as participants are added."""

from __future__ import annotations

from datetime import UTC, datetime

from unifier.domain.working import ThreadRow

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
