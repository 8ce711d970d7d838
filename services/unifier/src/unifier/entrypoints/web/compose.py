"""The thread's composer: a reply (through the reply service, once per Idempotency-Key) or an
internal note, each answered inline with ``_compose_status.html`` ("Sent" or why not).

Bad input changes nothing and publishes nothing: an empty or oversize text, a channel the
customer cannot be answered on (no message of hers there, a closed 24-hour window), files that
were not uploaded here or a channel that cannot carry them. Files (``attachments``: refs from
``POST /api/tenants/{t}/uploads``, added by ``static/js/reply_files.js``) may go without text."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.http import Rejected
from unifier.entrypoints.api.auth import Principal, page_principal
from unifier.entrypoints.api.upload_routes import stored_uploads
from unifier.entrypoints.web.templating import render
from unifier.entrypoints.web.thread import runtime_of
from unifier.service import notes
from unifier.service.commands import CommandError
from unifier.service.replies import ReplyAsk, reply_once

router = APIRouter(prefix="/inbox/conversations", tags=["page"])
Who = Annotated[Principal, Depends(page_principal)]
MAX_REPLY = 20_000  # as the API's ReplyBody
MAX_FILES = 10  # as the API's ReplyBody
T = TypeVar("T")


def _status(who: Principal, box: str, code: int, message: str) -> HTMLResponse:
    outcome = "sent" if code < 300 else "error"
    return render(
        "_compose_status.html", who, status_code=code, box=box, outcome=outcome, message=message
    )


def _text_problem(text: str, what: str) -> str | None:
    if not text.strip():
        return f"Nothing to send: write the {what} first."
    if len(text) > MAX_REPLY:
        return (
            f"Too long: a {what} has at most {MAX_REPLY:,} characters "
            f"(this one has {len(text):,}). Nothing was sent."
        )
    return None


def _files_problem(files: tuple[str, ...]) -> str | None:
    if len(files) > MAX_FILES:
        return f"Too many files: a reply carries at most {MAX_FILES}. Nothing was sent."
    return None


async def _write(
    request: Request, who: Principal, tid: str, fn: Callable[[AsyncConnection], Awaitable[T]]
) -> T:
    async with runtime_of(request).engine.begin() as conn:
        result = await fn(conn)
    runtime_of(request).relay.notify()
    request.app.state.live_feed.publish(who.tenant, {"conversations": [tid]})
    return result


@router.post("/{tid}/reply", response_class=HTMLResponse, include_in_schema=False)
async def reply(
    request: Request,
    who: Who,
    tid: str,
    text: Annotated[str, Form()] = "",
    channel: Annotated[str, Form()] = "",
    idempotency_key: Annotated[str, Form()] = "",
    attachments: Annotated[list[str] | None, Form()] = None,
) -> HTMLResponse:
    files = tuple(attachments or ())
    if problem := _text_problem(text, "reply") if not files else _files_problem(files):
        return _status(who, "reply", 422, problem)
    if len(idempotency_key) > 200:
        return _status(who, "reply", 422, "Not sent: the Idempotency-Key is over 200 characters.")
    try:
        await stored_uploads(request, files)
    except Rejected as exc:
        return _status(who, "reply", 422, f"Not sent: {exc.detail}.")
    key = idempotency_key or None
    ask = ReplyAsk(who.tenant, tid, text, who.agent_id, key, channel or None, None, files)
    window = timedelta(hours=runtime_of(request).settings.idempotency_hours)
    for _ in range(2):  # a concurrent twin loses the insert race, then reads the winner's answer
        try:
            answer = await _write(request, who, tid, lambda c: reply_once(c, ask, window))
        except IntegrityError:
            continue
        except CommandError as exc:
            return _status(who, "reply", exc.status, f"Not sent: {exc.detail}.")
        return _status(who, "reply", 200, f"Sent on {answer['channel']}.")
    return _status(who, "reply", 409, "Not sent: the same reply is being sent twice at once.")


@router.post("/{tid}/notes", response_class=HTMLResponse, include_in_schema=False)
async def note(
    request: Request, who: Who, tid: str, text: Annotated[str, Form()] = ""
) -> HTMLResponse:
    if problem := _text_problem(text, "note"):
        return _status(who, "note", 422, problem)
    try:
        await _write(
            request, who, tid, lambda c: notes.add_note(c, who.tenant, tid, who.agent_id, text)
        )
    except CommandError as exc:
        return _status(who, "note", exc.status, f"Not saved: {exc.detail}.")
    return _status(who, "note", 200, "Note added (agents only, not sent to the customer).")
