"""Mandrill edge: ``POST /inbound/email/mandrill`` (one POST, several mails: several events, all
acked before the 200) and ``HEAD`` (Mandrill checks the URL answers before saving it)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from email_ingest.providers.mandrill.normalize import check, deliveries
from email_ingest.providers.route import Intake, accept, as_data
from email_ingest.providers.settings import MandrillSettings

PATH = "/inbound/email/mandrill"


def router(intake: Intake, s: MandrillSettings) -> APIRouter:
    """Each mail of a batch routes by its own ``msg.email``; one unknown recipient refuses
    the whole POST (404). Mandrill signs the POST once, so the signature must match the
    ``webhook_key`` of every account the batch names."""
    api = APIRouter()

    @api.head(PATH)
    async def answer_head() -> Response:
        return Response(status_code=200)

    @api.post(PATH)
    async def receive(request: Request) -> Response:
        req = await as_data(request)

        def verify(keys: list[bytes]) -> None:
            check(req, keys, s.url)

        return await accept(intake, lambda: deliveries(req, None), verify)

    return api
