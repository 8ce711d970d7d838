"""Bulk actions on conversations: one command per conversation, each in its own transaction, so
every id gets its own answer (done, or the reason it was not) and one failure undoes no other.

The registry maps an action to a command ``(conn, tenant, thread_id, by, **params)``.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.service import assignment, labels, thread_commands
from unifier.service.commands import CommandError

MAX_IDS = 500  # conversations per request


class Command(Protocol):
    def __call__(
        self, conn: AsyncConnection, tenant: str, thread_id: str, by: str, **params: Any
    ) -> Awaitable[object]: ...


async def close(conn: AsyncConnection, tenant: str, thread_id: str, by: str, **_: Any) -> object:
    return await thread_commands.set_open(conn, tenant, thread_id, open_=False, by=by)


async def reopen(conn: AsyncConnection, tenant: str, thread_id: str, by: str, **_: Any) -> object:
    return await thread_commands.set_open(conn, tenant, thread_id, open_=True, by=by)


async def assign(
    conn: AsyncConnection, tenant: str, thread_id: str, by: str, **params: Any
) -> object:
    """``assignee``: an agent id, or null to unassign."""
    if set(params) != {"assignee"}:
        raise CommandError(422, "bad_parameters", "assign takes exactly {assignee}")
    return await assignment.assign(conn, tenant, thread_id, by, assignee=params["assignee"])


COMMANDS: dict[str, Command] = {
    "close": close,
    "reopen": reopen,
    "assign": assign,
    "label": labels.label,
    "unlabel": labels.unlabel,
}


def command_for(action: str) -> Command | None:
    return COMMANDS.get(action)


def actions() -> list[str]:
    return sorted(COMMANDS)


@dataclass(frozen=True)
class Outcome:
    id: str
    ok: bool
    error: str | None = None
    detail: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "ok": self.ok}
        if not self.ok:
            out |= {"error": self.error, "detail": self.detail}
        return out


Transaction = Callable[[], AbstractAsyncContextManager[AsyncConnection]]


def check(action: str, command: Command, params: dict[str, Any]) -> None:
    """422 before anything runs when the command does not take these parameters."""
    try:
        inspect.signature(command).bind(None, "", "", "", **params)
    except TypeError as exc:
        raise CommandError(422, "bad_parameters", f"{action}: {exc}") from None


async def run(
    begin: Transaction,
    command: Command,
    tenant: str,
    ids: list[str],
    by: str,
    params: dict[str, Any],
) -> list[Outcome]:
    """Each distinct id in the order given: ok, or the command's refusal (not found, ...)."""
    out: list[Outcome] = []
    for tid in dict.fromkeys(ids):
        try:
            async with begin() as conn:
                await command(conn, tenant, tid, by, **params)
        except CommandError as exc:
            out.append(Outcome(tid, False, exc.reason, exc.detail))
            continue
        out.append(Outcome(tid, True))
    return out
