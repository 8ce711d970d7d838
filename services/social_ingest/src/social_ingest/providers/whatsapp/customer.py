"""The WhatsApp user as a sender: wa_id and E.164 phone, both vouched for by WhatsApp."""

from __future__ import annotations

from hotline import events as ev
from hotline.phones import e164
from social_ingest.identifiers import provider_verified
from social_ingest.providers.whatsapp import parse as p


def names_of(contacts: list[p.Contact]) -> dict[str, str | None]:
    """wa_id -> the profile name the webhook's ``contacts`` give for it."""
    return {c.wa_id: c.profile.name for c in contacts if c.wa_id and c.profile}


def customer(wa_id: str, names: dict[str, str | None]) -> ev.Sender:
    """The customer: wa_id and its E.164 phone, both vouched for by WhatsApp (the wa_id is the
    number the account was registered and verified with)."""
    ids = [provider_verified("wa_id", wa_id)]
    phone = e164(wa_id)
    if phone:
        ids.append(provider_verified("phone", phone))
    return ev.Sender(handle=wa_id, display_name=names.get(wa_id), identifiers=ids)
