"""The email survey's public page: ``GET /csat/{token}`` (score and an optional comment),
``POST`` answers it. No sign-in: the token (``service.survey_links``) names the tenant and the
survey, signed and expiring. A forged token is a 404, an expired one a 410; the answer goes
through the same rule as a button (latest before expiry wins, ``domain.surveys``)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hotline import unified as un
from hotline.http import Rejected
from unifier.domain.surveys import clean_comment
from unifier.entrypoints.api import calls
from unifier.entrypoints.web.templating import render
from unifier.service.survey_answers import Answer, record_answer
from unifier.service.survey_links import BadLink, SurveyLinks
from unifier.store import survey_rows
from unifier.store.survey_rows import Survey

router = APIRouter(prefix="/csat", tags=["page"])
MAX_FORM_BYTES = 16 * 1024


def links_of(request: Request) -> SurveyLinks:
    links: SurveyLinks | None = request.app.state.surveys.links
    if links is None:
        raise BadLink("invalid")
    return links


async def _survey(request: Request, token: str) -> tuple[str, Survey]:
    try:
        tenant, survey_id = links_of(request).read(token)
    except BadLink as exc:
        status = 410 if exc.reason == "expired" else 404
        raise Rejected(
            status, f"survey_link_{exc.reason}", "this survey link cannot be used"
        ) from None
    found = await calls.read(request, lambda c: survey_rows.one(c, tenant, survey_id))
    if found is None:
        raise Rejected(404, "survey_link_invalid", "this survey link cannot be used")
    return tenant, found


@router.get("/{token}", response_class=HTMLResponse, include_in_schema=False)
async def survey_page(request: Request, token: str) -> HTMLResponse:
    _, survey = await _survey(request, token)
    return render("survey.html", None, survey=survey, nonce=str(uuid.uuid4()), done=False)


@router.post("/{token}", response_class=HTMLResponse, include_in_schema=False)
async def survey_answer(request: Request, token: str) -> HTMLResponse:
    tenant, survey = await _survey(request, token)
    if int(request.headers.get("content-length") or 0) > MAX_FORM_BYTES:
        raise Rejected(413, "payload_too_large", f"over {MAX_FORM_BYTES} bytes")
    form = await request.form()
    score = _score(str(form.get("score") or ""), survey.scale)
    nonce = str(form.get("nonce") or "")[:64]  # one page load: a resubmitted form is one answer
    answer = Answer(
        event_id=un.unified_event_id(tenant, survey.survey_id, "page", nonce, str(score)),
        score=score,
        at=datetime.now(UTC),
        comment=clean_comment(str(form.get("comment") or "")),
    )
    await calls.write(
        request,
        tenant,
        lambda c: record_answer(c, tenant, survey, answer),
        conversations=[survey.thread_id],
    )
    late = answer.at > survey.expires_at
    return render("survey.html", None, survey=survey, nonce=nonce, done=True, late=late)


def _score(given: str, scale: int) -> int:
    if not given.isdigit() or not 1 <= int(given) <= scale:
        raise Rejected(422, "bad_score", f"a score from 1 to {scale}")
    return int(given)
