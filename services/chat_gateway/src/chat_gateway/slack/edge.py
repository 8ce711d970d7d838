"""POST /slack/events: read once, run the pure pipeline, hand the outcome to the intake and
answer only after Kafka acked. POST /slack/interactions: taps on our survey buttons."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import msgspec
from prometheus_client import CollectorRegistry

from chat_gateway.settings import ChatSettings
from chat_gateway.slack.accounts import SlackAccounts
from chat_gateway.slack.download import FileCopier
from chat_gateway.slack.interactions import interaction_events
from chat_gateway.slack.outcome import SlackOutcomes
from chat_gateway.slack.pipeline import parse_signed
from chat_gateway.slack.users_info import ProfileDirectory
from hotline.blobs import open_blob_store
from hotline.http import ServiceState
from hotline.http.hotpath import Answer, Handler, Inbound
from hotline.intake import Intake, Publish, Result
from hotline.intake.http import answer_for

PATH = "/slack/events"


def profiles_of(
    settings: ChatSettings, accounts: SlackAccounts, registry: CollectorRegistry
) -> ProfileDirectory | None:
    if not settings.slack_profiles:
        return None
    return ProfileDirectory(
        accounts.bot_tokens,
        settings.slack_api_base,
        registry,
        timeout=settings.slack_profile_timeout,
        ttl=settings.slack_profile_ttl,
        retry_after=settings.slack_profile_retry_after,
    )


def copier_of(settings: ChatSettings) -> FileCopier | None:
    if settings.blob_store == "file" and settings.blob_dir is None:
        return None  # no store: Slack files stay links
    store = open_blob_store(settings, settings.blob_dir)
    return FileCopier(
        store, settings.slack_file_hosts, settings.slack_file_max_bytes, settings.slack_file_timeout
    )


def slack_post(outcomes: SlackOutcomes, intake: Intake) -> Handler:
    """The POST handler, served by the lean hot path (``hotline.http.hotpath``) in front of
    FastAPI: the same body limit and ``Rejected`` answers as FastAPI's routes."""
    workspaces = outcomes.accounts  # looked up in the registry at each request

    async def slack_events(_state: ServiceState, req: Inbound) -> Answer:
        received_at = datetime.now(UTC)
        step = parse_signed(req.headers, req.body, workspaces, time.time())
        outcome = await outcomes.of(step, req.body, "http:" + PATH, received_at)
        return slack_answer(await intake.take(outcome))

    return slack_events


def interactions_post(outcomes: SlackOutcomes, intake: Intake) -> Handler:
    """Slack's interactivity request URL: a survey tap becomes a message (answered 200 once
    Kafka acked, so Slack's retry of a lost answer is the same event)."""

    async def slack_interactions(_state: ServiceState, req: Inbound) -> Answer:
        received_at = datetime.now(UTC)
        workspaces = outcomes.accounts
        events = interaction_events(req.headers, req.body, workspaces, time.time(), received_at)
        return slack_answer(await intake.take(Publish(events)))

    return slack_interactions


def slack_answer(result: Result) -> Answer:
    """503 when Kafka did not ack (Slack retries); 200 with what was done otherwise."""
    if result.status == "acked":
        return Answer(200, msgspec.json.encode({"ok": True, "produced": result.produced}))
    if result.status == "dead_lettered":
        return Answer(200, msgspec.json.encode({"ok": True, "dead_lettered": result.detail}))
    return answer_for(result)
