"""Triage on arrival, as the consumer runs it: the tenant's rules and category model (cached by
version), then language detection and category prediction for the whole batch on a worker
thread (beside the working set's load), and the VIP contacts once the batch is decided.

Nothing here may fail ingestion: a bad rules document, a model that does not load or a detector
error leave the batch untriaged (or triaged by what did work), with a log line.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import events as ev
from unifier.domain.triage import (
    LanguageGuess,
    Prediction,
    TriageInputs,
    triage_plan,
    triage_text,
)
from unifier.domain.triage_rules import RulesError, TriageRules, parse_rules
from unifier.domain.working import Plan, WorkingSet
from unifier.service.classifier import CategoryModel
from unifier.service.language import LanguageDetector
from unifier.store import triage_rows

log = logging.getLogger(__name__)


@dataclass
class Prepared:
    inputs: TriageInputs
    languages: dict[str, LanguageGuess]


@dataclass
class Triage:
    detector: LanguageDetector
    models: dict[str, CategoryModel | None] = field(default_factory=dict)  # tenant -> in use
    versions: dict[str, int | None] = field(default_factory=dict)

    async def prepare(
        self, conn: AsyncConnection, tenant: str, events: Sequence[ev.MessageReceived]
    ) -> asyncio.Task[Prepared]:
        """Read the tenant's rules and model (in the caller's transaction), then start the
        batch's detection on a worker thread: the caller awaits it after its own reads."""
        rules = await self._rules(conn, tenant)
        model = await self._model(conn, tenant)
        return asyncio.create_task(asyncio.to_thread(self.work, rules, model, list(events)))

    def work(
        self, rules: TriageRules, model: CategoryModel | None, events: list[ev.MessageReceived]
    ) -> Prepared:
        texts = {e.event_id: triage_text(e.content) for e in events}
        customers = [
            e.event_id for e in events if e.sender.role == "customer" and texts[e.event_id]
        ]
        return Prepared(
            TriageInputs(rules, _predict(model, [texts[i] for i in customers], customers), texts),
            self.detector.guesses(events),
        )

    async def finish(
        self, conn: AsyncConnection, ws: WorkingSet, plan: Plan, prepared: Prepared
    ) -> None:
        """Triage the decided batch (its contacts known now) into the plan."""
        inputs = prepared.inputs
        ws.languages = prepared.languages
        if any(r.vip is not None for r in (*inputs.rules.category, *inputs.rules.priority)):
            contacts = (m.contact_id for m in plan.messages)
            inputs.vips = await triage_rows.vips_among(conn, ws.tenant, contacts)
        triage_plan(ws, plan, inputs)

    async def _rules(self, conn: AsyncConnection, tenant: str) -> TriageRules:
        doc = await triage_rows.rules_doc(conn, tenant)
        try:
            return parse_rules(doc) if doc is not None else TriageRules()
        except RulesError as exc:  # the API refuses bad rules; a hand-edited row ends here
            log.error("bad triage rules; none applied", extra={"tenant": tenant, "error": str(exc)})
            return TriageRules()

    async def _model(self, conn: AsyncConnection, tenant: str) -> CategoryModel | None:
        version = await triage_rows.latest_model(conn, tenant)
        if tenant in self.versions and self.versions[tenant] == version:
            return self.models[tenant]
        model = None
        if version is not None:
            blob = await triage_rows.model_blob(conn, tenant, version)
            try:
                model = CategoryModel.load(f"model:{tenant}/v{version}", blob)
            except Exception as exc:  # a model that will not load must not stop ingestion
                log.error("category model not loaded", extra={"tenant": tenant, "error": repr(exc)})
        self.versions[tenant], self.models[tenant] = version, model
        return model


def _predict(
    model: CategoryModel | None, texts: list[str], ids: list[str]
) -> dict[str, Prediction]:
    if model is None or not texts:
        return {}
    try:
        return dict(zip(ids, model.predict(texts), strict=True))
    except Exception as exc:  # as above: no category from the model this batch
        log.error("category prediction failed", extra={"error": repr(exc)})
        return {}
