"""What every provider edge does once a POST is verified: normalize the body into an
``Outcome`` and hand it to the service's one ``hotline.intake.Intake``.

* malformed / schema mismatch -> 400 / 422 (``Rejected``; nothing reaches the intake);
* verified but not normalizable (an unexpected shape, a crash of ours) -> ``Poison``: the
  original bytes go to the inbound topic's dead letters with the reason, then 200 — never
  dropped, never retried into a crash loop;
* events and ops records -> one ``Publish`` (each to its own topic: the stream, ``hotline.ops``).
The intake answers only after Kafka's ack (503 when it does not ack; the provider retries).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from hotline.accounts import Account
from hotline.http import ServiceState
from hotline.http.hotpath import Answer
from hotline.intake import Intake, Outcome, Poison, Publish
from hotline.intake.http import answer_for, normalized
from hotline.topics import INBOUND_SOCIAL
from social_ingest.context import Context
from social_ingest.media import MediaCopier
from social_ingest.ops import Normalized
from social_ingest.settings import SocialSettings

Normalizer = Callable[[bytes, Context], Normalized]
PARSER_VERSION = "social-1"
Key = tuple[str, str]  # (channel kind, account id)
WEBHOOKS = "webhooks"  # the Webhooks' key in ServiceState.extras


@dataclass(frozen=True)
class Webhooks:
    """Built once at start-up (``SocialService.start``) and shared by every provider edge."""

    intake: Intake
    context: Callable[..., Context]  # each webhook's context: now, the tenancy, the region
    media: MediaCopier | None = None  # set: attachments are copied into the blob store first

    def outcome(
        self, body: bytes, run: Normalizer, source: str, pinned: Mapping[Key, str] | None = None
    ) -> Outcome:
        """``pinned``: the tenants of the accounts the edge routed the request to."""
        return outcome_of(body, self.context(pinned=pinned), run, source)

    async def answer(self, outcome: Outcome, routed: Sequence[Account] = ()) -> Answer:
        """The provider's answer, given once Kafka acked (or did not: 503). ``routed``: the
        accounts the edge routed the request to (media is fetched with their tokens)."""
        if self.media and isinstance(outcome, Publish):
            await self.media.copy(outcome.events, routed)
        return answer_for(await self.intake.take(outcome))


def outcome_of(body: bytes, ctx: Context, run: Normalizer, source: str) -> Outcome:
    """``source``: the route the body came by (kept in the dead letter's headers)."""
    out = normalized(lambda: run(body, ctx), body, INBOUND_SOCIAL, source, PARSER_VERSION)
    return out if isinstance(out, Poison) else Publish([*out.events, *out.ops])


def webhooks(state: ServiceState) -> Webhooks:
    hooks = state.extras[WEBHOOKS]
    assert isinstance(hooks, Webhooks)
    return hooks


def contexts(settings: SocialSettings) -> Callable[[], Context]:
    """Each webhook's context: now, the configured tenancy (built once) and phone region."""
    return partial(Context.now, region=settings.default_region, tenancy=settings.tenancy())
