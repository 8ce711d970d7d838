"""Postmark edge: ``POST /inbound/email/postmark``; 401 without the Basic credentials, 200 once
Kafka acked (Postmark retries any other answer but 403)."""

from __future__ import annotations

from email_ingest.providers.postmark.normalize import deliveries
from email_ingest.providers.route import basic_auth_router

PATH = "/inbound/email/postmark"
router = basic_auth_router(PATH, "postmark", deliveries)
