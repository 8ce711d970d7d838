"""Agent API: conversations, threads with decisions, contacts, merges, close/reopen, replies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field, model_validator
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.background import BackgroundTask

from hotline.http import Rejected
from hotline.intake import Publish
from hotline.intake.http import response_for
from unifier.entrypoints.api import calls
from unifier.entrypoints.api.auth import Principal, principal
from unifier.entrypoints.api.upload_routes import stored_uploads
from unifier.entrypoints.web import list_model
from unifier.entrypoints.web.list_model import Filters, with_contacts
from unifier.service import commands, suggestions, thread_commands
from unifier.service.commands import CommandError
from unifier.service.replies import ReplyAsk, reply_once, typing_event
from unifier.service.template_replies import TemplateAsk
from unifier.store import queries

router = APIRouter(prefix="/api/tenants/{tenant}", tags=["agent"])
Who = Annotated[Principal, Depends(principal)]
T = TypeVar("T")
ApiFilters = Annotated[Filters, Depends(list_model.filters_for(None))]


class MergeBody(BaseModel):
    into: str = Field(description="the surviving conversation or contact id")


class SplitBody(BaseModel):
    message_ids: list[str] = Field(min_length=1)


class TemplateBody(BaseModel):
    name: str = Field(min_length=1, max_length=512)
    language: str = Field(min_length=2, max_length=16, description='e.g. "en_US"')
    params: list[Annotated[str, Field(max_length=1024)]] = Field(
        default_factory=list, max_length=20, description="the body's {{1}}..{{n}} values"
    )


class ReplyBody(BaseModel):
    text: str = Field("", max_length=20000, description="required unless a template is given")
    channel: str | None = Field(None, description="channel kind; default: the last one used")
    template: TemplateBody | None = Field(
        None, description="an approved WhatsApp template (outside the 24-hour window)"
    )
    attachments: list[Annotated[str, Field(max_length=128)]] = Field(
        default_factory=list, max_length=10, description="refs answered by POST .../uploads"
    )

    @model_validator(mode="after")
    def _text_or_template(self) -> ReplyBody:
        if not self.text and self.template is None and not self.attachments:
            raise ValueError("a reply needs a text, a template or attachments")
        return self

    def ask(self, tenant: str, conversation_id: str, agent: str, key: str | None) -> ReplyAsk:
        t = self.template
        chosen = TemplateAsk(t.name, t.language, list(t.params)) if t else None
        files = tuple(self.attachments)
        return ReplyAsk(tenant, conversation_id, self.text, agent, key, self.channel, chosen, files)


@router.get("/conversations")
async def list_conversations(
    request: Request,
    response: Response,
    tenant: str,
    who: Who,
    f: ApiFilters,
    contact: str | None = None,
    cursor: Annotated[str | None, Query(description="from the previous page's Link")] = None,
) -> list[dict[str, Any]]:
    """Newest first, ``limit`` a page; the next page's URL in ``Link: <…>; rel="next"``.
    ``view``: mine (assigned to the caller), unassigned or all; ``status`` open (snoozed ones
    hidden), snoozed, closed or any (the default)."""
    q = list_model.query(f, tenant, who.agent_id, datetime.now(UTC), cursor)

    async def page(conn: AsyncConnection) -> tuple[list[dict[str, Any]], str | None]:
        chosen = (
            q if not contact else with_contacts(q, await queries.members(conn, tenant, contact))
        )
        return await list_model.load(conn, chosen)

    rows, after = await calls.read(request, page)
    if after:
        path = f"/api/tenants/{tenant}/conversations"
        extra = {"contact": contact, "cursor": after}
        response.headers["Link"] = f'<{f.url(path, **extra)}>; rel="next"'
    return rows


@router.get("/conversations/{conversation_id}")
async def get_conversation(
    request: Request, tenant: str, who: Who, conversation_id: str
) -> dict[str, Any]:
    return await calls.found(
        request,
        lambda c: queries.get_thread(c, tenant, conversation_id),
        f"conversation {conversation_id}",
    )


@router.post("/conversations/{conversation_id}/close")
async def close(
    request: Request,
    tenant: str,
    who: Who,
    conversation_id: str,
    survey: bool = True,
) -> dict[str, str]:
    """Resolve it; ``?survey=false`` resolves without asking the customer for a rating."""
    policy = request.app.state.surveys if survey else None
    await calls.write(
        request,
        tenant,
        lambda c: thread_commands.set_open(
            c, tenant, conversation_id, open_=False, by=who.agent_id, survey=policy
        ),
    )
    return {"conversation_id": conversation_id, "status": "closed"}


@router.post("/conversations/{conversation_id}/reopen")
async def reopen(
    request: Request,
    tenant: str,
    who: Who,
    conversation_id: str,
) -> dict[str, str]:
    await calls.write(
        request,
        tenant,
        lambda c: thread_commands.set_open(c, tenant, conversation_id, open_=True, by=who.agent_id),
    )
    return {"conversation_id": conversation_id, "status": "open"}


@router.post("/conversations/{conversation_id}/merge")
async def merge_conversations(
    request: Request,
    tenant: str,
    who: Who,
    conversation_id: str,
    body: MergeBody,
) -> dict[str, Any]:
    moved = await calls.write(
        request,
        tenant,
        lambda c: thread_commands.merge_threads(
            c, tenant, conversation_id, body.into, who.agent_id
        ),
    )
    return {"conversation_id": body.into, "moved": len(moved)}


@router.post("/conversations/{conversation_id}/split")
async def split_conversation(
    request: Request,
    tenant: str,
    who: Who,
    conversation_id: str,
    body: SplitBody,
) -> dict[str, Any]:
    new, moved = await calls.write(
        request,
        tenant,
        lambda c: thread_commands.split_thread(
            c, tenant, conversation_id, body.message_ids, who.agent_id
        ),
    )
    return {"conversation_id": new, "moved": len(moved)}


@router.post("/conversations/{conversation_id}/replies", status_code=202)
async def reply(
    request: Request,
    tenant: str,
    who: Who,
    conversation_id: str,
    body: ReplyBody,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
) -> JSONResponse:
    """Request a reply (reply.requested.v1); the same Idempotency-Key within 24 h answers the
    first result again and publishes nothing."""
    ask = body.ask(tenant, conversation_id, who.agent_id, idempotency_key)
    await stored_uploads(request, ask.attachments)
    window = timedelta(hours=calls.runtime(request).settings.idempotency_hours)
    for _ in range(2):  # a concurrent twin loses the insert race, then reads the winner's answer
        try:
            return await calls.write(request, tenant, lambda c: _reply_once(c, ask, window))
        except IntegrityError:
            continue
    raise Rejected(409, "conflict", "concurrent replies with one Idempotency-Key")


async def _reply_once(conn: AsyncConnection, ask: ReplyAsk, window: timedelta) -> JSONResponse:
    answer = await reply_once(conn, ask, window)
    if answer.pop("replayed", False):
        return JSONResponse(answer, status_code=200, headers={"Idempotent-Replayed": "true"})
    return JSONResponse(answer, status_code=202)


class TypingBody(BaseModel):
    on: bool
    channel: str | None = Field(None, description="channel kind; default: the last one used")


@router.post("/conversations/{conversation_id}/typing", status_code=202)
async def typing(
    request: Request,
    tenant: str,
    who: Who,
    conversation_id: str,
    body: TypingBody,
) -> Response:
    """Tell the customer an agent is (not) typing: agent.typing.v1 on the channel's replies topic
    (shown by channels that can, e.g. the web widget). Ephemeral: nothing is stored."""
    ask = ReplyAsk(tenant, conversation_id, "", who.agent_id, None, body.channel)
    try:
        event = await calls.read(request, lambda c: typing_event(c, ask, body.on))
    except CommandError as exc:
        raise Rejected(exc.status, exc.reason, exc.detail) from exc
    result = await request.app.state.intake.take(Publish([event]))
    if not result.accepted:
        return response_for(result)
    return JSONResponse({"event_id": event.event_id, "channel": event.channel.kind}, 202)


@router.get("/contacts/{contact_id}")
async def get_contact(request: Request, tenant: str, who: Who, contact_id: str) -> dict[str, Any]:
    return await calls.found(
        request, lambda c: queries.get_contact(c, tenant, contact_id), f"contact {contact_id}"
    )


@router.post("/contacts/{contact_id}/merge")
async def merge_contacts(
    request: Request,
    tenant: str,
    who: Who,
    contact_id: str,
    body: MergeBody,
) -> dict[str, str]:
    await calls.write(
        request,
        tenant,
        lambda c: commands.merge_contacts(c, tenant, contact_id, body.into, who.agent_id),
    )
    return {"contact_id": body.into, "merged_contact_id": contact_id}


@router.post("/contacts/{contact_id}/unmerge")
async def unmerge_contact(
    request: Request,
    tenant: str,
    who: Who,
    contact_id: str,
) -> dict[str, str]:
    event = await calls.write(
        request, tenant, lambda c: commands.unmerge_contact(c, tenant, contact_id, who.agent_id)
    )
    return {"contact_id": contact_id, "unmerged_from": event.contact_id}


@router.get("/contacts/{contact_id}/suggestions")
async def list_suggestions(
    request: Request, tenant: str, who: Who, contact_id: str
) -> list[dict[str, Any]]:
    """Possible links without proof, open or decided, with the identifier and message behind."""
    found = await calls.found(
        request, lambda c: queries.get_contact(c, tenant, contact_id), f"contact {contact_id}"
    )
    suggested: list[dict[str, Any]] = found["suggestions"]
    return suggested


@router.post("/contacts/{contact_id}/suggestions/{suggestion_id}/accept")
async def accept_suggestion(
    request: Request,
    tenant: str,
    who: Who,
    contact_id: str,
    suggestion_id: str,
) -> dict[str, Any]:
    """Merge the suggested contact into this one, recording ``agent_confirmed`` evidence."""
    event = await calls.write(
        request,
        tenant,
        lambda c: suggestions.accept(c, tenant, contact_id, suggestion_id, who.agent_id),
    )
    return {
        "suggestion_id": suggestion_id,
        "status": "accepted",
        "contact_id": event.contact_id,
        "merged_contact_id": event.merged_contact_id,
    }


@router.post("/contacts/{contact_id}/suggestions/{suggestion_id}/dismiss")
async def dismiss_suggestion(
    request: Request,
    tenant: str,
    who: Who,
    contact_id: str,
    suggestion_id: str,
) -> dict[str, Any]:
    """Different people: the pair is never suggested again, also by later messages."""
    await calls.write(
        request,
        tenant,
        lambda c: suggestions.dismiss(c, tenant, contact_id, suggestion_id, who.agent_id),
    )
    return {"suggestion_id": suggestion_id, "status": "dismissed"}


@router.get("/events", response_class=StreamingResponse)
async def live(request: Request, tenant: str, who: Who) -> StreamingResponse:
    """Server-sent events: ``change`` with the conversation ids that changed."""

    news = request.app.state.live_feed.subscribe(tenant)

    async def stream() -> AsyncIterator[str]:
        async for chunk in news.chunks():
            if await request.is_disconnected():
                return
            yield chunk

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache"},
        background=BackgroundTask(news.close),
    )
