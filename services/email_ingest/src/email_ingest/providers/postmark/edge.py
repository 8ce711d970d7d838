"""Postmark edge: ``POST /inbound/email/postmark``; 404 for an unknown recipient, 401
without the account's Basic credentials, 200 once Kafka acked (Postmark retries any other
answer but 403)."""

from __future__ import annotations

from email_ingest.providers.postmark.normalize import deliveries
from email_ingest.providers.postmark.verify import verify
from email_ingest.providers.route import basic_auth_router

PATH = "/inbound/email/postmark"
router = basic_auth_router(PATH, lambda req: deliveries(req, None), verify)
