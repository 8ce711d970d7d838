"""SES-via-SNS edge: ``POST /inbound/email/ses``. Checks what it can before any fetch (topic,
certificate URL, freshness), then fetches the signing certificate (cached per URL) and checks
the signature. A subscription confirmation is answered by visiting ``SubscribeURL`` (when it
matches the configured pattern); a notification's mail goes to the shared intake. 200 once Kafka
acked, 503 when it did not or the certificate could not be fetched (SNS retries). SNS signs
for the topic, not a recipient: a verified mail routes by its SES receipt recipients (404 when
no account takes them; SES accounts have no secret)."""

from __future__ import annotations

import re
import time

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from email_ingest.providers.route import Intake, read
from email_ingest.providers.ses import parse, verify
from email_ingest.providers.ses.normalize import mail_of, sns_message
from email_ingest.providers.settings import SesSettings
from hotline.http import Rejected

PATH = "/inbound/email/ses"
MAX_CERTS = 16


class Certificates:
    """Signing certificates by URL; only URLs the pattern allows are ever fetched."""

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self.cache: dict[str, bytes] = {}

    async def get(self, url: str) -> bytes:
        if url not in self.cache:
            if len(self.cache) >= MAX_CERTS:
                self.cache.clear()
            self.cache[url] = await _fetch(url, self.timeout_s)
        return self.cache[url]


async def _fetch(url: str, timeout_s: float) -> bytes:
    try:
        async with httpx.AsyncClient(timeout=timeout_s) as client:
            resp = await client.get(url)
            resp.raise_for_status()
    except httpx.HTTPError as exc:
        raise Rejected(503, "certificate_unavailable", f"{url}: {exc}") from exc
    return resp.content


async def confirm(m: parse.SnsMessage, s: SesSettings) -> Response:
    url = m.subscribe_u_r_l or ""
    if not s.confirm_subscriptions or not re.match(s.subscribe_url_pattern, url):
        return JSONResponse({"status": "subscription_not_confirmed"}, status_code=200)
    try:
        async with httpx.AsyncClient(timeout=s.fetch_timeout_s) as client:
            (await client.get(url)).raise_for_status()
    except httpx.HTTPError as exc:
        raise Rejected(503, "subscribe_failed", str(exc)) from exc
    return JSONResponse({"status": "subscription_confirmed"}, status_code=200)


def router(intake: Intake, s: SesSettings) -> APIRouter:
    api = APIRouter()
    certs = Certificates(s.fetch_timeout_s)

    @api.post(PATH)
    async def receive(request: Request) -> Response:
        m = sns_message(await request.body(), verified=True)
        verify.check_envelope(m, s.topic_arns, s.cert_url_pattern, time.time(), s.max_age_s)
        verify.verify_signature(m, await certs.get(m.signing_cert_u_r_l))
        if m.type == "SubscriptionConfirmation":
            return await confirm(m, s)
        found = read(lambda: mail_of(m))
        if not found:
            return JSONResponse({"status": "ignored", "type": m.type}, status_code=200)
        return await intake.hand_off(intake.routed(found))

    return api
