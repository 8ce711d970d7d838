"""CloudMailin edge: ``POST /inbound/email/cloudmailin``; 401 without the Basic credentials, 200
once Kafka acked (a 5xx makes CloudMailin defer and retry; a 4xx bounces the mail)."""

from __future__ import annotations

from email_ingest.providers.cloudmailin.normalize import deliveries
from email_ingest.providers.route import basic_auth_router

PATH = "/inbound/email/cloudmailin"
router = basic_auth_router(PATH, "cloudmailin", deliveries)
