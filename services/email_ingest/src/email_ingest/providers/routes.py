"""The inbound mail provider routes, mounted on the email app. Every provider's route is
mounted (its accounts may arrive at run time) and answers 404 for a recipient that no account
takes; SES only with the SNS topics it accepts (``HOTLINE_SES``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter

from email_ingest.mailroom import Mailroom
from email_ingest.providers.cloudmailin import edge as cloudmailin
from email_ingest.providers.mailgun import edge as mailgun
from email_ingest.providers.mandrill import edge as mandrill
from email_ingest.providers.postmark import edge as postmark
from email_ingest.providers.route import Intake
from email_ingest.providers.sendgrid import edge as sendgrid
from email_ingest.providers.ses import edge as ses
from email_ingest.providers.settings import ProviderSettings
from hotline.accounts.registry import AccountRegistry

Router = Callable[[Intake, Any], APIRouter]
ROUTERS: dict[str, Router] = {
    "cloudmailin": cloudmailin.router,
    "mailgun": mailgun.router,
    "mandrill": mandrill.router,
    "postmark": postmark.router,
    "sendgrid": sendgrid.router,
    "ses": ses.router,
}


def provider_routes(
    mailroom: Mailroom, registry: AccountRegistry, providers: dict[str, ProviderSettings]
) -> APIRouter:
    """``providers``: each provider's settings by name (``EmailSettings.providers()``)."""
    api = APIRouter()
    for name, settings in providers.items():
        if name in ROUTERS and (name != "ses" or settings.enabled):
            api.include_router(ROUTERS[name](Intake(mailroom, registry, name), settings))
    return api
