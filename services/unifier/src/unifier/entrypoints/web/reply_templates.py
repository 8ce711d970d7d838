"""The WhatsApp template picker of a conversation, ``/inbox/conversations/{id}/templates``
(``_reply_templates.html``, inside the reply form): shown when the customer's 24-hour window
is closed; choosing a template re-renders it with one input per value and a live preview
(server-rendered, autoescaped); "Send template" posts the reply by template. The whole page
without ``HX-Request``, the fragment with it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.exc import IntegrityError

from unifier.entrypoints.api.auth import Principal, page_principal
from unifier.entrypoints.runtime import ConsumerRuntime
from unifier.entrypoints.web.contact_model import Notice, refusal
from unifier.entrypoints.web.template_model import picker_model
from unifier.entrypoints.web.templating import render
from unifier.service.commands import CommandError
from unifier.service.replies import ReplyAsk, request_reply, stored_reply
from unifier.service.template_replies import TemplateAsk

router = APIRouter(tags=["page"])
Who = Annotated[Principal, Depends(page_principal)]
BASE = "/inbox/conversations/{tid}/templates"
MAX_VALUES = 20


def _values(fields: Mapping[str, Any]) -> list[str]:
    """``template_param_1``..``_n`` in order (named by position: the order in which a browser
    sends repeated fields depends on which input triggered the request)."""
    out: list[str] = []
    while len(out) < MAX_VALUES and isinstance(
        v := fields.get(f"template_param_{len(out) + 1}"), str
    ):
        out.append(v)  # an over-long value is refused by the reply, never cut
    return out


def _runtime(request: Request) -> ConsumerRuntime:
    runtime: ConsumerRuntime = request.app.state.runtime
    return runtime


async def _picker(
    request: Request, who: Who, tid: str, notice: Notice | None = None, status: int = 200,
    **choice: Any,
) -> HTMLResponse:  # fmt: skip
    async with _runtime(request).engine.connect() as conn:
        model = await picker_model(conn, who.tenant, tid, **choice)
    if model is None:
        notice, status = Notice("error", f"No conversation {tid} in this workspace."), 404
    fragment = request.headers.get("HX-Request") == "true"
    page = "_reply_templates.html" if fragment else "reply_templates_page.html"
    return render(page, who, status, picker=model, notice=notice)


@router.get(BASE, response_class=HTMLResponse, include_in_schema=False)
async def picker(
    request: Request,
    who: Who,
    tid: str,
    template_key: Annotated[str, Query(max_length=600)] = "",
    template_shown: Annotated[str, Query(max_length=600)] = "",
) -> HTMLResponse:
    """The picker; with a template chosen, its value inputs and the preview of its text."""
    values = _values(request.query_params)
    return await _picker(request, who, tid, key=template_key, shown=template_shown, params=values)


@router.post(BASE, response_class=HTMLResponse, include_in_schema=False)
async def send(
    request: Request,
    who: Who,
    tid: str,
    template_key: Annotated[str, Form(max_length=600)],
    template_idempotency_key: Annotated[str, Form(max_length=200)],
) -> HTMLResponse:
    template_param = _values(await request.form())
    name, _, language = template_key.partition("|")
    chosen = TemplateAsk(name, language, template_param)
    ask = ReplyAsk(who.tenant, tid, "", who.agent_id, template_idempotency_key, None, chosen)
    try:
        answer = await _request_once(request, ask)
    except CommandError as exc:
        return await _picker(
            request, who, tid, refusal(exc), exc.status,
            key=template_key, shown=template_key, params=template_param,
        )  # fmt: skip
    _runtime(request).relay.notify()
    request.app.state.live_feed.publish(who.tenant, {"conversations": [tid]})
    said = f"Template {name} ({language}) sent to {answer['recipient']}."
    return await _picker(request, who, tid, Notice("ok", said))


async def _request_once(request: Request, ask: ReplyAsk) -> dict[str, Any]:
    """The reply by template, once per idempotency key (a double click sends one)."""
    window = timedelta(hours=_runtime(request).settings.idempotency_hours)
    for _ in range(2):  # a concurrent twin loses the insert race, then reads the winner's answer
        try:
            async with _runtime(request).engine.begin() as conn:
                earlier = await stored_reply(conn, ask, window)
                return earlier if earlier is not None else await request_reply(conn, ask)
        except IntegrityError:
            continue
    raise CommandError(409, "conflict", "concurrent replies with one idempotency key")
