"""SendGrid edge: ``POST /inbound/email/sendgrid``; 401 without the Basic credentials, 200 once
Kafka acked (SendGrid retries 5xx answers for up to 3 days)."""

from __future__ import annotations

from email_ingest.providers.route import basic_auth_router
from email_ingest.providers.sendgrid.normalize import deliveries

PATH = "/inbound/email/sendgrid"
router = basic_auth_router(PATH, "sendgrid", deliveries)
