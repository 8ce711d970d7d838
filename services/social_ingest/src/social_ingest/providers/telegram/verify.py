"""Telegram bot webhook verification, pure: the ``secret_token`` given to setWebhook comes back
in ``X-Telegram-Bot-Api-Secret-Token``; constant-time compare."""

from __future__ import annotations

import hmac


def secret_ok(expected: str, header: str | None) -> bool:
    if not expected or header is None:
        return False
    return hmac.compare_digest(header.encode("utf-8", "replace"), expected.encode())
