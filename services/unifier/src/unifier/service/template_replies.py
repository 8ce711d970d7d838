"""A reply by approved WhatsApp template: which template, checked against the store, and the
text it sends (kept as the outbound message the agent sees in the thread)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.domain.reply_templates import placeholder_count, render
from unifier.service.commands import CommandError
from unifier.store import template_rows

TEMPLATE_CHANNEL = "whatsapp"
MAX_VALUE = 1024  # characters of one body value (the Cloud API's limit)


@dataclass(frozen=True)
class TemplateAsk:
    name: str
    language: str
    params: list[str] = field(default_factory=list)


async def template_text(
    conn: AsyncConnection, tenant: str, channel_kind: str, account_id: str, ask: TemplateAsk
) -> str:
    """The body with its values filled in; 422 when the template cannot be sent as asked."""
    if channel_kind != TEMPLATE_CHANNEL:
        raise CommandError(
            422, "template_channel", f"templates are sent on WhatsApp, not on {channel_kind}"
        )
    found = await template_rows.find_template(conn, tenant, account_id, ask.name, ask.language)
    if found is None or found["status"] != template_rows.APPROVED:
        raise CommandError(
            422,
            "unknown_template",
            f"no approved template {ask.name!r} ({ask.language}) for WhatsApp account {account_id}",
        )
    if any(len(p) > MAX_VALUE for p in ask.params):
        raise CommandError(
            422, "template_params", f"a template value is longer than {MAX_VALUE} characters"
        )
    want = placeholder_count(found["body"])
    if len(ask.params) != want or not all(p.strip() for p in ask.params):
        raise CommandError(
            422,
            "template_params",
            f"template {ask.name!r} takes {want} non-empty value(s), {len(ask.params)} given",
        )
    return render(found["body"], ask.params)
