"""Mailgun edge: ``POST /inbound/email/mailgun`` (parsed) and ``.../mailgun/mime`` (raw MIME;
Mailgun posts raw only to URLs ending in ``mime``). 401 before anything is parsed further;
200 once Kafka acked (Mailgun retries anything else but 406)."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.responses import Response

from email_ingest.providers.handoff import hand_off
from email_ingest.providers.mailgun.normalize import deliveries
from email_ingest.providers.route import Intake, as_data, read
from email_ingest.providers.settings import MailgunSettings

PATHS = ("/inbound/email/mailgun", "/inbound/email/mailgun/mime")


def router(intake: Intake, s: MailgunSettings) -> APIRouter:
    api = APIRouter()
    keys = [k.get_secret_value().encode() for k in s.signing_keys]

    async def receive(request: Request) -> Response:
        req = await as_data(request)
        found = read(lambda: deliveries(req, keys, time.time(), s.max_age_s))
        return await hand_off(intake.mailroom, intake.config, found, "mailgun")

    for path in PATHS:
        api.add_api_route(path, receive, methods=["POST"])
    return api
