"""What a voice edge does around its pure verify/parse/normalize: route the request to a voice
channel account of its source (none: 404), require a signature under one of the account's
secret values (else 401), then normalize the body and hand the outcome to the service's one
``hotline.intake.Intake``, answering once Kafka acked (503 when it did not).

* malformed / schema mismatch -> 400 / 422, nothing produced;
* verified but not normalizable (a crash of ours) -> the original bytes to the voice inbound
  topic's dead letters with the reason, then 200: never dropped, never retried into a loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Protocol

from hotline import events as ev
from hotline.accounts import Account, AccountRegistry, Unknown
from hotline.http import Rejected, ServiceState
from hotline.http.hotpath import Answer
from hotline.intake import Intake, Outcome, Publish, Reply
from hotline.intake.http import answer_for
from hotline.intake.intake import poison_of
from hotline.kafka.errors import PermanentError
from hotline.topics import inbound_topic_for
from voice.providers.calls import CallContext

IntakeOf = Callable[[ServiceState], Intake]  # the running service's intake
Normalizer = Callable[[bytes, CallContext], Sequence[ev.Event]]
STATUS = {"malformed": 400, "schema_mismatch": 422}
PARSER_VERSION = "voice-1"


class EdgeSettings(Protocol):
    """What the voice edges read from the service's settings."""

    @property
    def default_region(self) -> str | None:
        """For national numbers when the account names no ``region``."""


def routed(accounts: AccountRegistry, source: str, account_id: str) -> Account:
    """The enabled voice account ``account_id`` of ``source`` ("vonage", "cti"); one of
    another source (its ``source`` setting; none: "twilio", the environment's) is not this
    edge's: 404 as for an unknown one."""
    try:
        account = accounts.route("voice", account_id)
    except Unknown as exc:
        raise Rejected(404, "unknown_account", str(exc)) from exc
    if (account.settings.get("source") or "twilio") != source:
        raise Rejected(404, "unknown_account", f"no {source} voice account {account_id!r}")
    return account


def signed(values: Iterable[str], check: Callable[[str], bool]) -> None:
    """401 unless the request verifies under one of the secret's values (rotation: two)."""
    if not any(check(value) for value in values):
        raise Rejected(401, "bad_signature")


def context(account: Account, account_id: str, source: str, settings: EdgeSettings) -> CallContext:
    """``account_id``: the id the request named (an environment ``*`` account's events carry
    the requested id, not ``*``)."""
    region = account.settings.get("region") or settings.default_region
    return CallContext(
        source=source,
        account=account_id,
        tenant=account.tenant,
        region=region if isinstance(region, str) else None,
        received_at=datetime.now(UTC),
    )


async def hand_off(
    intake: Intake, body: bytes, ctx: CallContext, run: Normalizer, route: str
) -> Answer:
    """``route``: the path the body came by (kept in a dead letter's headers)."""
    return answer_for(await intake.take(outcome_of(body, ctx, run, route)))


def outcome_of(body: bytes, ctx: CallContext, run: Normalizer, route: str) -> Outcome:
    topic = inbound_topic_for("voice")
    try:
        events = run(body, ctx)
    except PermanentError as exc:
        if exc.reason in STATUS:
            raise Rejected(STATUS[exc.reason], exc.reason, exc.detail) from exc
        return poison_of(exc, body, topic, route, PARSER_VERSION)
    except Exception as exc:  # a verified body we cannot normalize is poison, not a 500
        return poison_of(exc, body, topic, route, PARSER_VERSION)
    return Publish(list(events)) if events else Reply()  # an ignored callback: 200
