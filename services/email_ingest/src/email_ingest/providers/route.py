"""What every provider route shares: the request as ``HttpRequest`` data, routing each mail to
its channel account by recipient (404 when a mail has none), verifying the request with the
routed accounts' secrets (401), and bad provider envelopes answered 400 (nothing produced)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from email_ingest.mailroom import Mailroom
from email_ingest.providers.accounts import config_for, credentials, route
from email_ingest.providers.delivery import Delivery
from email_ingest.providers.handoff import hand_off
from email_ingest.providers.settings import ProviderSettings
from hotline.accounts.registry import Account, AccountRegistry, Unknown
from hotline.capture import HttpRequest
from hotline.http import Rejected
from hotline.kafka.errors import PermanentError

Routed = list[tuple[Delivery, Account]]
T = TypeVar("T")


@dataclass(frozen=True)
class Intake:
    """Where a provider's mail goes: the shared mailroom, under the account each mail is for."""

    mailroom: Mailroom
    registry: AccountRegistry
    provider: str

    def routed(self, found: list[Delivery]) -> Routed:
        """Every mail with its account; one mail for an unknown account refuses them all."""
        try:
            return [(d, route(self.registry, self.provider, d.rcpts)) for d in found]
        except Unknown as exc:
            raise Rejected(404, "unknown_account", str(exc)) from exc

    async def hand_off(self, routed: Routed) -> Response:
        base = self.mailroom.config
        pairs = [(d, config_for(base, account)) for d, account in routed]
        return await hand_off(self.mailroom, pairs, self.provider)


async def as_data(request: Request) -> HttpRequest:
    headers = {k.lower(): v for k, v in request.headers.items()}
    return HttpRequest(request.method, str(request.url), headers, await request.body())


def read(run: Callable[[], T]) -> T:
    """Run a provider's verify or parse; its ``PermanentError`` (not a form, bad JSON, no mail
    in it) is the sender's fault: 400, nothing produced. ``Rejected`` (401) passes through."""
    try:
        return run()
    except PermanentError as exc:
        raise Rejected(400, "malformed", exc.detail or exc.reason) from exc


Verify = Callable[[list[bytes]], None]  # raises Rejected(401) unless one credential matches


async def accept(intake: Intake, parse: Callable[[], list[Delivery]], verify: Verify) -> Response:
    """Parse (unverified) to find the recipients, route each mail (404), verify the request
    with each routed account's secret values (401), then hand the mail off."""
    routed = intake.routed(read(parse))
    if not routed:
        return JSONResponse({"status": "ignored", "event_ids": []}, status_code=200)
    for account in {a.account_id: a for _, a in routed}.values():
        read(partial(verify, credentials(account, intake.provider)))
    return await intake.hand_off(routed)


Parse = Callable[[HttpRequest], list[Delivery]]


def basic_auth_router(
    path: str, parse: Parse, check: Callable[[list[bytes], str | None], None]
) -> Callable[[Intake, ProviderSettings], APIRouter]:
    """The edge of a provider that signs nothing and authenticates with Basic credentials
    (SendGrid, Postmark, CloudMailin): ``POST path`` → parse, route by recipient, ``check``
    the Authorization header against the account's ``basic_user:basic_password`` → the
    shared hand-off; 404 for an unknown recipient, 401 without the credentials, 200 once
    Kafka acked."""

    def router(intake: Intake, _: ProviderSettings) -> APIRouter:
        api = APIRouter()

        @api.post(path)
        async def receive(request: Request) -> Response:
            req = await as_data(request)
            auth = req.header("authorization")
            return await accept(intake, lambda: parse(req), lambda c: check(c, auth))

        return api

    return router
