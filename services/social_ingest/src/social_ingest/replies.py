"""reply.requested.v1 from ``hotline.replies.social`` -> the provider's API -> reply.result.v1.

The messaging window is decided centrally (windows.py) from the window store; a blocked reply
is an explicit ``window_closed`` result. Provider errors: permanent -> ``failed``; retryable
(429, 5xx, timeouts, listed codes) -> a few quick attempts, then ``failed`` with
``retryable=true`` so the requester can re-request; the consumer never stalls on one provider.
A reply's files go out on WhatsApp only (``reply_media``); on any other channel, or with a
template, they are refused as ``failed`` (``attachments_unsupported``), never dropped.
A sent reply's result is remembered by reply_id: a redelivered request is not sent twice.
Each reply goes out with the newest token of the account its channel names (``accounts``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

import httpx

from hotline import events as ev
from hotline.accounts import AccountRegistry
from hotline.blobs import BlobStore
from hotline.kafka import Batch, PermanentError
from hotline.kafka.consumer import InRecord
from social_ingest.credentials import reply_credentials
from social_ingest.outbound import Call, SendOutcome
from social_ingest.providers.messenger import outbound as meta_out
from social_ingest.providers.telegram import outbound as telegram_out
from social_ingest.providers.twilio import outbound as twilio_out
from social_ingest.providers.whatsapp import outbound as whatsapp_out
from social_ingest.providers.x import outbound as x_out
from social_ingest.reply_media import whatsapp_files
from social_ingest.settings import SocialSettings
from social_ingest.window_store import WindowStore
from social_ingest.windows import decide

log = logging.getLogger(__name__)
PublishEvents = Callable[[Sequence[ev.Event]], Awaitable[object]]
Reader = Callable[[int, bytes], SendOutcome]


def decode_reply(record: InRecord) -> ev.ReplyRequested:
    event = ev.decode(record.value or b"")
    if not isinstance(event, ev.ReplyRequested):
        raise PermanentError("not_a_reply", ev.event_tag(event))
    return event


def result(reply: ev.ReplyRequested, o: SendOutcome) -> ev.ReplyResult:
    return ev.reply_result(
        reply,
        o.status,
        provider_message_id=o.provider_message_id,
        reason=o.reason,
        provider_code=o.code,
        retryable=o.retryable,
    )


class Replies:
    def __init__(
        self,
        settings: SocialSettings,
        store: WindowStore,
        client: httpx.AsyncClient,
        publish: PublishEvents,
        attempts: int = 3,
        blobs: BlobStore | None = None,  # where a reply's files are read from (WhatsApp)
        *,
        accounts: AccountRegistry,  # the app's registry: whose token each reply goes out with
    ) -> None:
        self.s, self.store, self.client, self.publish = settings, store, client, publish
        self.attempts, self.blobs, self.accounts = attempts, blobs, accounts

    async def __call__(self, batch: Batch[ev.ReplyRequested]) -> None:
        results = [await self.deliver(item.value) for item in batch.items]
        await self.publish(results)  # after Kafka acked them, the loop commits the offsets
        for r in results:
            log.info(
                "reply done",
                extra={
                    "event_id": r.event_id,
                    "status": r.status,
                    "channel": r.channel.kind,
                    "tenant": r.tenant,
                },
            )

    async def deliver(self, reply: ev.ReplyRequested) -> ev.ReplyResult:
        if (done := self.store.result_of(reply.reply_id)) is not None:
            event = ev.decode(done)
            assert isinstance(event, ev.ReplyResult)
            return event
        last = self.store.last_inbound(reply.tenant, reply.channel, reply.recipient)
        d = decide(
            reply.channel.kind,
            last,
            datetime.now(UTC),
            template=reply.template,
            human_agent=reply.human_agent,
        )
        if not d.allowed:
            return result(reply, SendOutcome("window_closed", reason=d.reason))
        try:
            outcome = await self._outcome(reply, d.mode)
        except PermanentError as exc:
            return result(reply, SendOutcome("failed", code=exc.reason, reason=exc.detail))
        out = result(reply, outcome)
        if out.status == "sent":
            self.store.remember(reply.reply_id, ev.encode(out))
        return out

    async def _outcome(self, reply: ev.ReplyRequested, mode: str) -> SendOutcome:
        if not reply.attachments:
            return await self.send(*self.plan(reply, mode))
        kind = reply.channel.kind
        if kind != "whatsapp" or mode == "template" or self.blobs is None:
            raise PermanentError("attachments_unsupported", f"a {kind} reply here carries no files")
        token = reply_credentials(self.accounts, self.s, reply.channel).token
        return await whatsapp_files(reply, self.blobs, self.s.whatsapp_api_base, token, self.send)

    def plan(self, reply: ev.ReplyRequested, mode: str) -> tuple[Call, Reader]:
        s, kind = self.s, reply.channel.kind
        auth = reply_credentials(self.accounts, s, reply.channel)
        token = auth.token
        if kind == "whatsapp":
            call = whatsapp_out.request(reply, s.whatsapp_api_base, token, mode)
            return call, whatsapp_out.outcome
        if kind in ("messenger", "instagram"):
            return meta_out.request(reply, s.meta_api_base, token, mode), meta_out.outcome
        if kind == "telegram":
            call = telegram_out.request(reply, s.telegram_api_base, token, mode)
            return call, telegram_out.outcome
        if kind == "sms":
            call = twilio_out.request(reply, s.twilio_api_base, auth.account_sid, token)
            return call, twilio_out.outcome
        return x_out.request(reply, s.x_api_base, token, mode), x_out.outcome

    async def send(self, call: Call, reader: Reader) -> SendOutcome:
        outcome = SendOutcome("failed", reason="not attempted", retryable=True)
        for attempt in range(self.attempts):
            outcome = await self._once(call, reader)
            if not (outcome.status == "failed" and outcome.retryable):
                return outcome
            await asyncio.sleep(0.2 * 2**attempt)
        return outcome

    async def _once(self, call: Call, reader: Reader) -> SendOutcome:
        try:
            r = await self.client.post(
                call.url,
                json=call.json,
                data=call.form,
                files=call.files,
                headers=call.headers,
                auth=call.auth or httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.TimeoutException as exc:
            return SendOutcome("failed", code="timeout", reason=repr(exc), retryable=True)
        except httpx.TransportError as exc:
            return SendOutcome("failed", code="transport", reason=repr(exc), retryable=True)
        return reader(r.status_code, r.content)
