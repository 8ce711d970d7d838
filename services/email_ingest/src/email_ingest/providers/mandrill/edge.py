"""Mandrill edge: ``POST /inbound/email/mandrill`` (one POST, several mails: several events, all
acked before the 200) and ``HEAD`` (Mandrill checks the URL answers before saving it)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from email_ingest.providers.handoff import hand_off
from email_ingest.providers.mandrill.normalize import deliveries
from email_ingest.providers.route import Intake, as_data, read
from email_ingest.providers.settings import MandrillSettings

PATH = "/inbound/email/mandrill"


def router(intake: Intake, s: MandrillSettings) -> APIRouter:
    api = APIRouter()
    keys = [k.get_secret_value().encode() for k in s.webhook_keys]

    @api.head(PATH)
    async def check() -> Response:
        return Response(status_code=200)

    @api.post(PATH)
    async def receive(request: Request) -> Response:
        req = await as_data(request)
        found = read(lambda: deliveries(req, keys, s.url))
        return await hand_off(intake.mailroom, intake.config, found, "mandrill")

    return api
