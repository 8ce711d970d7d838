"""What every provider route shares: the request as ``HttpRequest`` data, the mailbox config
for the provider's account, and bad provider envelopes answered 400 (nothing produced)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from fastapi import APIRouter, Request
from fastapi.responses import Response

from email_ingest.mailroom import Mailroom
from email_ingest.normalize import MailboxConfig
from email_ingest.providers.delivery import Delivery
from email_ingest.providers.handoff import hand_off
from email_ingest.providers.settings import BasicAuthSettings
from hotline.capture import HttpRequest
from hotline.http import Rejected
from hotline.kafka.errors import PermanentError
from hotline.tenancy import Tenancy


@dataclass(frozen=True)
class Intake:
    """Where a provider's mail goes: the shared mailroom, under this mailbox config."""

    mailroom: Mailroom
    config: MailboxConfig


def intake_for(mailroom: Mailroom, tenancy: Tenancy, account_id: str | None) -> Intake:
    base = mailroom.config
    account = account_id or base.account_id
    config = replace(base, account_id=account, tenant=tenancy.tenant_for("email", account))
    return Intake(mailroom, config)


async def as_data(request: Request) -> HttpRequest:
    headers = {k.lower(): v for k, v in request.headers.items()}
    return HttpRequest(request.method, str(request.url), headers, await request.body())


def read(run: Callable[[], list[Delivery]]) -> list[Delivery]:
    """Run a provider's verify+parse; its ``PermanentError`` (not a form, bad JSON, no mail
    in it) is the sender's fault: 400, nothing produced. ``Rejected`` (401) passes through."""
    try:
        return run()
    except PermanentError as exc:
        raise Rejected(400, "malformed", exc.detail or exc.reason) from exc


Deliveries = Callable[[HttpRequest, list[bytes] | None], list[Delivery]]


def basic_auth_router(
    path: str, provider: str, deliveries: Deliveries
) -> Callable[[Intake, BasicAuthSettings], APIRouter]:
    """The edge of a provider that signs nothing and authenticates with Basic credentials
    (SendGrid, Postmark, CloudMailin): ``POST path`` → its ``deliveries`` (verify + parse) →
    the shared hand-off; 401 without the credentials, 200 once Kafka acked."""

    def router(intake: Intake, s: BasicAuthSettings) -> APIRouter:
        api = APIRouter()
        credentials = [c.get_secret_value().encode() for c in s.basic_auth]

        @api.post(path)
        async def receive(request: Request) -> Response:
            req = await as_data(request)
            found = read(lambda: deliveries(req, credentials))
            return await hand_off(intake.mailroom, intake.config, found, provider)

        return api

    return router
