"""The one Slack Web API call we make (chat.postMessage), over httpx, base URL configurable."""

from __future__ import annotations

import httpx

from hotline.kafka import RetriableError


class SlackApiError(Exception):
    """Slack answered ok=false with a permanent error code (channel_not_found ...)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


RETRIABLE_CODES = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


class SlackApi:
    def __init__(self, base_url: str, timeout: float = 5.0) -> None:
        self.client = httpx.AsyncClient(base_url=base_url.rstrip("/") + "/", timeout=timeout)

    async def close(self) -> None:
        await self.client.aclose()

    async def post_message(
        self,
        token: str,
        channel: str,
        text: str,
        thread_ts: str | None,
        blocks: list[dict[str, object]] | None = None,
    ) -> str:
        """Post and return the new message's ts; RetriableError when trying again may help.
        ``blocks``: Block Kit layout (``text`` stays the notification's fallback)."""
        payload: dict[str, object] = {"channel": channel, "text": text}
        if thread_ts:
            payload["thread_ts"] = thread_ts
        if blocks:
            payload["blocks"] = blocks
        try:
            response = await self.client.post(
                "chat.postMessage", json=payload, headers={"Authorization": f"Bearer {token}"}
            )
        except httpx.TransportError as exc:
            raise RetriableError(f"slack api unreachable: {exc!r}") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise RetriableError(f"slack api answered {response.status_code}")
        body = response.json()
        if body.get("ok"):
            return str(body["ts"])
        code = str(body.get("error", "unknown_error"))
        if code in RETRIABLE_CODES:
            raise RetriableError(f"slack api: {code}")
        raise SlackApiError(code)
