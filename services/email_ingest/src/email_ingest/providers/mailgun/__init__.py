"""Mailgun routes: forward() to a URL, parsed fields or raw MIME (``body-mime``)."""
