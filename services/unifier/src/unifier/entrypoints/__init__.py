"""Entry points: the HTTP app (API, inbox page, SSE), the consumer runtime and handler, the
outbox relay, the worker and the rethread tool. Everything below is imported from here."""
