"""SendGrid edge: ``POST /inbound/email/sendgrid``; 401 without the Basic credentials, 200 once
Kafka acked (SendGrid retries 5xx answers for up to 3 days)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from email_ingest.providers.handoff import hand_off
from email_ingest.providers.route import Intake, as_data, read
from email_ingest.providers.sendgrid.normalize import deliveries
from email_ingest.providers.settings import SendGridSettings

PATH = "/inbound/email/sendgrid"


def router(intake: Intake, s: SendGridSettings) -> APIRouter:
    api = APIRouter()
    credentials = [c.get_secret_value().encode() for c in s.basic_auth]

    @api.post(PATH)
    async def receive(request: Request) -> Response:
        req = await as_data(request)
        found = read(lambda: deliveries(req, credentials))
        return await hand_off(intake.mailroom, intake.config, found, "sendgrid")

    return api
