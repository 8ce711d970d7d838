"""From a verified Slack request to the intake's ``Outcome``, whatever the transport (HTTP or
Socket Mode): a challenge is a reply; an event callback is normalized with its senders'
profiles and its files copied when configured; what cannot be normalized is poison."""

from __future__ import annotations

from datetime import datetime

import msgspec

from chat_gateway.slack.accounts import SlackAccounts
from chat_gateway.slack.download import FileCopier
from chat_gateway.slack.files import with_blobs
from chat_gateway.slack.pipeline import (
    Challenge,
    Normalized,
    Parsed,
    Step,
    finish,
    senders,
)
from chat_gateway.slack.users_info import ProfileDirectory
from hotline import events as ev
from hotline.intake import Outcome, Publish, Reply
from hotline.intake.intake import poison_of
from hotline.kafka import PermanentError
from hotline.topics import INBOUND_CHAT


class SlackOutcomes:
    def __init__(
        self,
        accounts: SlackAccounts,
        copier: FileCopier | None = None,
        profiles: ProfileDirectory | None = None,
    ) -> None:
        self.accounts, self.copier, self.profiles = accounts, copier, profiles

    async def of(self, step: Step, body: bytes, source: str, received_at: datetime) -> Outcome:
        """``body``: the bytes Slack sent (dead-lettered as they are); ``source``: the route."""
        if isinstance(step, Challenge):
            return Reply(msgspec.json.encode({"challenge": step.challenge}))
        try:
            ready = await self.normalize(step, received_at) if isinstance(step, Parsed) else step
        except PermanentError as exc:
            return poison_of(exc, body, INBOUND_CHAT, source)
        return Publish(await self.with_files(ready))

    async def normalize(self, parsed: Parsed, received_at: datetime) -> Normalized:
        """Normalize with the profiles of the senders whose events are published (none for
        ignored events: bots, joins); a failed lookup leaves that sender without one."""
        plain = finish(parsed, self.accounts, received_at)
        users = senders(plain)
        if self.profiles is None or not users:
            return plain
        found = await self.profiles.lookup(parsed.envelope.team_id, users)
        return finish(parsed, self.accounts, received_at, found) if found else plain

    async def with_files(self, normalized: Normalized) -> list[ev.Event]:
        """The events, their Slack files swapped for blob store copies where they were copied."""
        if not (self.copier and normalized.files and normalized.events):
            return normalized.events
        token = self.accounts.bot_tokens.get(normalized.events[0].channel.account_id)
        if token is None:  # the workspace was removed meanwhile: its files stay links
            return normalized.events
        stored = await self.copier.copy_all(token, normalized.files)
        return [with_blobs(e, stored) for e in normalized.events]
