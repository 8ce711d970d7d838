"""The per-process presence board: who else is in a conversation, with expiry; live streams."""

from __future__ import annotations

import time

import pytest

from unifier.entrypoints.web import presence_board
from unifier.entrypoints.web.presence_board import Here, PresenceBoard


def test_others_never_oneself_and_left_removes() -> None:
    board = PresenceBoard()
    board.put("t", "c1", Here("ana", "Ana", "viewing"))
    board.put("t", "c1", Here("bob", "Bob", "typing"))
    board.put("t", "c2", Here("cy", "Cy", "viewing"))
    board.put("u", "c1", Here("zed", "Zed", "viewing"))  # another tenant's same id
    assert board.others("t", "c1", "ana") == [Here("bob", "Bob", "typing")]
    assert board.others("t", "c1", "bob") == [Here("ana", "Ana", "viewing")]
    board.put("t", "c1", Here("bob", "Bob", "left"))
    assert board.others("t", "c1", "ana") == []
    assert board.others("t", "c1", "zed") == [Here("ana", "Ana", "viewing")]


def test_entries_expire(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    board = PresenceBoard()
    board.put("t", "c1", Here("ana", "Ana", "typing"))
    board.put("t", "c1", Here("bob", "Bob", "viewing"))
    clock[0] += presence_board.TTL["typing"] + 0.1
    assert [h.agent_id for h in board.others("t", "c1", "me")] == ["bob"]
    clock[0] += presence_board.TTL["viewing"]
    assert board.others("t", "c1", "me") == []


def test_streams_counted_per_agent() -> None:
    board = PresenceBoard()
    board.opened("t", "ana")
    board.opened("t", "ana")  # two tabs
    board.opened("u", "bob")
    board.closed("t", "ana")
    assert board.connected() == {"t": {"ana"}, "u": {"bob"}}
    board.closed("t", "ana")
    assert board.connected() == {"u": {"bob"}}
