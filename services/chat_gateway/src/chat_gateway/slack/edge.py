"""POST /slack/events: read once, run the pure pipeline, ack only after Kafka acked."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from chat_gateway.recent import PublishOnce
from chat_gateway.settings import ChatSettings
from chat_gateway.slack.download import FileCopier
from chat_gateway.slack.files import with_blobs
from chat_gateway.slack.pipeline import Challenge, Poison, Publish, Workspace, process
from hotline.blobs import LocalBlobStore
from hotline.http import ServiceState, json_error
from hotline.kafka import KafkaUnavailable, dead_letter
from hotline.kafka.dlq import dlq_headers
from hotline.topics import INBOUND_CHAT, dead_letter_for

log = logging.getLogger(__name__)
PATH = "/slack/events"


def workspaces_of(settings: ChatSettings) -> dict[str, Workspace]:
    return {
        team: Workspace(ws.signing_secret.get_secret_value(), ws.bot_user_id, ws.app_id)
        for team, ws in settings.slack_workspaces.items()
    }


def copier_of(settings: ChatSettings) -> FileCopier | None:
    if settings.blob_dir is None:
        return None
    store = LocalBlobStore(settings.blob_dir)
    return FileCopier(
        store, settings.slack_file_hosts, settings.slack_file_max_bytes, settings.slack_file_timeout
    )


def add_slack_routes(
    app: FastAPI, settings: ChatSettings, once: PublishOnce, copier: FileCopier | None
) -> None:
    workspaces = workspaces_of(settings)
    tokens = {t: ws.bot_token.get_secret_value() for t, ws in settings.slack_workspaces.items()}

    async def slack_events(request: Request) -> Response:
        body = await request.body()
        outcome = process(request.headers, body, workspaces, time.time(), datetime.now(UTC))
        state: ServiceState = request.app.state.hotline
        if isinstance(outcome, Challenge):
            return JSONResponse({"challenge": outcome.challenge})
        if isinstance(outcome, Poison):
            return await _dead_letter(state, body, outcome)
        if copier and outcome.files and outcome.events:
            outcome = await _copy_files(copier, tokens[outcome.events[0].tenant], outcome)
        return await _publish(state, once, outcome, request.headers.get("x-slack-retry-num"))

    # A plain Starlette route: no per-request dependency solving on the hot path.
    app.add_route(PATH, slack_events, methods=["POST"], include_in_schema=True)


async def _copy_files(copier: FileCopier, token: str, outcome: Publish) -> Publish:
    stored = await copier.copy_all(token, outcome.files)
    return Publish([with_blobs(e, stored) for e in outcome.events])


async def _publish(
    state: ServiceState, once: PublishOnce, outcome: Publish, retry: str | None
) -> Response:
    try:
        produced = await once(outcome.events)
    except KafkaUnavailable as exc:
        state.metrics.rejected.labels("kafka_unavailable").inc()
        return json_error(503, "kafka_unavailable", str(exc))
    for e in outcome.events:
        log.info(
            "slack event acked",
            extra={
                "event_id": e.event_id,
                "topic": INBOUND_CHAT,
                "tenant": e.tenant,
                "attempt": retry or "0",
            },
        )
    return JSONResponse({"ok": True, "produced": produced})


async def _dead_letter(state: ServiceState, body: bytes, poison: Poison) -> Response:
    topic = dead_letter_for(INBOUND_CHAT)
    headers = dlq_headers(reason=poison.reason, error=poison.detail, source="http:" + PATH)
    try:
        await dead_letter(state.producer, topic, body, key=None, headers=headers)
    except KafkaUnavailable as exc:
        return json_error(503, "kafka_unavailable", str(exc))
    log.warning("slack event dead-lettered", extra={"topic": topic, "reason": poison.reason})
    return JSONResponse({"ok": True, "dead_lettered": poison.reason})
