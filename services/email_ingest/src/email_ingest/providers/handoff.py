"""Provider deliveries -> the mailroom's shared intake, and the HTTP answer.

Each delivery is normalized (in a worker thread when big); its blobs are stored, then all the
good events of one POST go to the intake as one ``Publish`` (published once, acked before we
answer) and each mail that cannot be normalized is dead-lettered with its raw bytes. 200 with
the event ids when everything was acked; 503 when Kafka did not ack (the provider retries).
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import replace
from datetime import UTC, datetime

from fastapi.responses import JSONResponse, Response

from email_ingest.mailroom import OFF_LOOP_BYTES, PARSER_VERSION, Mailroom
from email_ingest.normalize import MailboxConfig, Normalized
from email_ingest.providers.delivery import Delivery, normalize_delivery
from hotline import events
from hotline.intake import Poison, Publish
from hotline.intake.http import response_for
from hotline.intake.intake import poison_of


async def hand_off(
    mailroom: Mailroom, deliveries: list[tuple[Delivery, MailboxConfig]], source: str
) -> Response:
    """``deliveries``: each mail with the mailbox config of its account (tenant, account)."""
    good, poison = await _prepare(mailroom, deliveries, source)
    for n in good:
        await asyncio.to_thread(_store, mailroom, n)
    evts = [e for n in good for e in n.events]
    outcomes: list[Publish | Poison] = [Publish(evts)] if evts else []
    for outcome in [*outcomes, *poison]:
        result = await mailroom.intake.take(outcome)
        if not result.accepted:
            return response_for(result)
    return _answer(evts, poison)


async def _prepare(
    mailroom: Mailroom, deliveries: list[tuple[Delivery, MailboxConfig]], source: str
) -> tuple[list[Normalized], list[Poison]]:
    now = datetime.now(UTC)
    good: list[Normalized] = []
    poison: list[Poison] = []
    for d, config in deliveries:
        try:
            good.append(await _normalize(d, config, now))
        except Exception as exc:  # poison: dead-lettered, never a crash loop
            digest = hashlib.sha256(d.raw).hexdigest().encode()
            p = poison_of(exc, d.raw, mailroom.topic, source, PARSER_VERSION)
            poison.append(replace(p, key=digest))
    return good, poison


async def _normalize(d: Delivery, config: MailboxConfig, now: datetime) -> Normalized:
    if len(d.raw) <= OFF_LOOP_BYTES:
        return normalize_delivery(d, config, now)
    return await asyncio.to_thread(normalize_delivery, d, config, now)


def _store(mailroom: Mailroom, result: Normalized) -> None:
    for data in result.blobs.values():
        mailroom.blobs.put(data)


def _answer(evts: list[events.Event], poison: list[Poison]) -> Response:
    doc = {
        "status": "published" if not poison else "dead_lettered" if not evts else "partial",
        "event_ids": [e.event_id for e in evts],
        "dead_lettered": [p.reason for p in poison],
    }
    return JSONResponse(doc, status_code=200)
