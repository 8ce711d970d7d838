"""CloudMailin edge: ``POST /inbound/email/cloudmailin``; 404 for an unknown recipient, 401
without the account's Basic credentials, 200 once Kafka acked (a 5xx makes CloudMailin defer
and retry; a 4xx bounces the mail)."""

from __future__ import annotations

from email_ingest.providers.cloudmailin.normalize import deliveries
from email_ingest.providers.cloudmailin.verify import verify
from email_ingest.providers.route import basic_auth_router

PATH = "/inbound/email/cloudmailin"
router = basic_auth_router(PATH, lambda req: deliveries(req, None), verify)
