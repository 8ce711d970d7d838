"""POST /slack/events: read once, run the pure pipeline, answer only after Kafka acked."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from chat_gateway.settings import ChatSettings
from chat_gateway.slack.download import FileCopier
from chat_gateway.slack.intake import SlackIntake
from chat_gateway.slack.pipeline import Challenge, Workspace, process
from hotline.blobs import LocalBlobStore
from hotline.http import json_error

PATH = "/slack/events"


def workspaces_of(settings: ChatSettings) -> dict[str, Workspace]:
    return {
        team: Workspace(ws.signing_secret.get_secret_value(), ws.bot_user_id, ws.app_id)
        for team, ws in settings.slack_workspaces.items()
    }


def tokens_of(settings: ChatSettings) -> dict[str, str]:
    return {t: ws.bot_token.get_secret_value() for t, ws in settings.slack_workspaces.items()}


def copier_of(settings: ChatSettings) -> FileCopier | None:
    if settings.blob_dir is None:
        return None
    store = LocalBlobStore(settings.blob_dir)
    return FileCopier(
        store, settings.slack_file_hosts, settings.slack_file_max_bytes, settings.slack_file_timeout
    )


def add_slack_routes(app: FastAPI, settings: ChatSettings, intake: SlackIntake) -> None:
    workspaces = workspaces_of(settings)

    async def slack_events(request: Request) -> Response:
        body = await request.body()
        outcome = process(request.headers, body, workspaces, time.time(), datetime.now(UTC))
        if isinstance(outcome, Challenge):
            return JSONResponse({"challenge": outcome.challenge})
        accepted = await intake.accept(body, outcome, "http:" + PATH)
        if accepted.status == "kafka_unavailable":
            return json_error(503, "kafka_unavailable", accepted.detail)  # Slack retries
        if accepted.status == "dead_lettered":
            return JSONResponse({"ok": True, "dead_lettered": accepted.detail})
        return JSONResponse({"ok": True, "produced": accepted.produced})

    # A plain Starlette route: no per-request dependency solving on the hot path.
    app.add_route(PATH, slack_events, methods=["POST"], include_in_schema=True)
