"""SendGrid edge: ``POST /inbound/email/sendgrid``; 404 for an unknown recipient, 401
without the account's Basic credentials, 200 once Kafka acked (SendGrid retries 5xx answers
for up to 3 days)."""

from __future__ import annotations

from email_ingest.providers.route import basic_auth_router
from email_ingest.providers.sendgrid.normalize import deliveries
from email_ingest.providers.sendgrid.verify import verify

PATH = "/inbound/email/sendgrid"
router = basic_auth_router(PATH, lambda req: deliveries(req, None), verify)
