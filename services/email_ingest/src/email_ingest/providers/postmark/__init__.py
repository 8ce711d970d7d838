"""Postmark inbound webhook: parsed JSON (``RawEmail`` only when requested), Basic auth."""
