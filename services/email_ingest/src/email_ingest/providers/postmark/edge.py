"""Postmark edge: ``POST /inbound/email/postmark``; 401 without the Basic credentials, 200 once
Kafka acked (Postmark retries any other answer but 403)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from email_ingest.providers.handoff import hand_off
from email_ingest.providers.postmark.normalize import deliveries
from email_ingest.providers.route import Intake, as_data, read
from email_ingest.providers.settings import PostmarkSettings

PATH = "/inbound/email/postmark"


def router(intake: Intake, s: PostmarkSettings) -> APIRouter:
    api = APIRouter()
    credentials = [c.get_secret_value().encode() for c in s.basic_auth]

    @api.post(PATH)
    async def receive(request: Request) -> Response:
        req = await as_data(request)
        found = read(lambda: deliveries(req, credentials))
        return await hand_off(intake.mailroom, intake.config, found, "postmark")

    return api
