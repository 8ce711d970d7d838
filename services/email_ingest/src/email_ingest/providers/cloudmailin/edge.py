"""CloudMailin edge: ``POST /inbound/email/cloudmailin``; 401 without the Basic credentials, 200
once Kafka acked (a 5xx makes CloudMailin defer and retry; a 4xx bounces the mail)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from email_ingest.providers.cloudmailin.normalize import deliveries
from email_ingest.providers.handoff import hand_off
from email_ingest.providers.route import Intake, as_data, read
from email_ingest.providers.settings import CloudMailinSettings

PATH = "/inbound/email/cloudmailin"


def router(intake: Intake, s: CloudMailinSettings) -> APIRouter:
    api = APIRouter()
    credentials = [c.get_secret_value().encode() for c in s.basic_auth]

    @api.post(PATH)
    async def receive(request: Request) -> Response:
        req = await as_data(request)
        found = read(lambda: deliveries(req, credentials))
        return await hand_off(intake.mailroom, intake.config, found, "cloudmailin")

    return api
