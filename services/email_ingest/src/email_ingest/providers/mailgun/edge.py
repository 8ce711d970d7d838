"""Mailgun edge: ``POST /inbound/email/mailgun`` (parsed) and ``.../mailgun/mime`` (raw MIME;
Mailgun posts raw only to URLs ending in ``mime``). 401 before anything is parsed further;
404 for an unknown recipient; 200 once Kafka acked (Mailgun retries anything else but 406)."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.responses import Response

from email_ingest.providers.mailgun.normalize import check, deliveries
from email_ingest.providers.route import Intake, accept, as_data
from email_ingest.providers.settings import MailgunSettings

PATHS = ("/inbound/email/mailgun", "/inbound/email/mailgun/mime")


def router(intake: Intake, s: MailgunSettings) -> APIRouter:
    """Routed by the ``recipient`` field; verified with the account's ``signing_key``."""
    api = APIRouter()

    async def receive(request: Request) -> Response:
        req = await as_data(request)

        def verify(keys: list[bytes]) -> None:
            check(req, keys, time.time(), s.max_age_s)

        return await accept(intake, lambda: deliveries(req, None, 0), verify)

    for path in PATHS:
        api.add_api_route(path, receive, methods=["POST"])
    return api
