"""What every provider proves about a sender: one table per provider on recorded payloads.

Each row: the senders of the events a case gives, as (role, display name, identifiers), each
identifier as (kind, value, level, verified, source). WhatsApp rows come from the pywa corpus
(read at test time), the others from our fixtures in ``tests/fixtures/social``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from hotline import events as ev
from social_ingest.ops import Normalized
from social_ingest.providers.messenger.normalize import normalize as meta
from social_ingest.providers.telegram.normalize import normalize as telegram
from social_ingest.providers.twilio.normalize import normalize as sms
from social_ingest.providers.whatsapp.normalize import normalize as whatsapp
from social_ingest.providers.x.normalize import normalize as x
from tests.unit.social.helpers import CTX, FIXTURES, named_cases

Ident = tuple[str, str, str, bool, str]
Row = tuple[str, str | None, list[Ident]]
PV = "provider_verified"

WA = [
    ("wa_id", "972987654321", PV, True, "provider"),
    ("phone", "+972987654321", PV, True, "provider"),
]
WHATSAPP: dict[str, list[Row]] = {
    "message.json:text": [("customer", "Test Name", WA)],
    "message.json:reaction": [("customer", "Test Name", WA)],
    "callback_button.json:button": [("customer", "Test Name", WA)],
    # a contact card is content: its numbers are someone's, never the sender's identifiers
    "message.json:contacts": [("customer", "Test Name", WA)],
    # the contacts[] name belongs to another wa_id than the sender's: no name borrowed
    "edited_message.json:image": [
        (
            "customer",
            None,
            [
                ("wa_id", "16505551234", PV, True, "provider"),
                ("phone", "+16505551234", PV, True, "provider"),
            ],
        )
    ],
    # pywa's placeholder sender is no phone number: the wa_id only
    "deleted_message.json:revoke": [
        ("customer", None, [("wa_id", "<WHATSAPP_USER_PHONE_NUMBER>", PV, True, "provider")])
    ],
    "system.json:identity_change": [("system", None, WA)],
    "outgoing_message.json:text": [("agent", None, [])],  # our business app's echo
    "message_status.json:sent": [],  # statuses have no sender
}

LENA = ("telegram_id", "123456789", PV, True, "provider")
TELEGRAM: dict[str, list[Row]] = {
    "text": [("customer", "Lena Ivanova", [LENA])],
    "own_contact": [
        (
            "customer",
            "Lena Ivanova",
            [LENA, ("phone", "+491701234567", PV, True, "telegram.contact")],
        )
    ],
    "other_contact": [("customer", "Lena Ivanova", [LENA])],  # Jonas' card: not Lena's phone
    "contact_without_user_id": [("customer", "Lena Ivanova", [LENA])],
    "edited": [("customer", "Lena Ivanova", [LENA])],
    "callback": [("customer", "Lena Ivanova", [LENA])],
    "reaction": [("customer", "Lena Ivanova", [LENA])],
    "my_chat_member": [],  # an ops record
}

PSID = ("psid", "106712345678901:6789012345678901", PV, True, "provider")
MESSENGER: dict[str, list[Row]] = {
    "text": [("customer", None, [PSID])],  # names come from the profile lookup (profiles.py)
    "postback": [("customer", None, [PSID])],
    "reaction": [("customer", None, [PSID])],
    "edit": [("customer", None, [PSID])],
    "two_items": [("customer", None, [PSID])] * 2,
    "echo": [("agent", None, [])],
    "read": [],
}

IGSID = ("ig_id", "17841400000000001:5566778899001122", PV, True, "provider")
INSTAGRAM: dict[str, list[Row]] = {
    "text": [("customer", None, [IGSID])],
    "story_mention": [("customer", None, [IGSID])],
    "deleted": [("customer", None, [IGSID])],
    "echo": [("agent", None, [])],
}

JO = ("x_id", "3001969357", PV, True, "provider")
X: dict[str, list[Row]] = {
    "text": [("customer", "Jo Customer", [JO])],
    "quick_reply": [("customer", "Jo Customer", [JO])],
    "mixed": [("customer", "Jo Customer", [JO])],  # our own send in the same body is dropped
    "own_send": [],
}

# Spoofable From numbers: carrier_asserted, never verified (README: SMS policy)
FROM = ("phone", "+14155552671", "carrier_asserted", False, "twilio.from")
SMS: dict[str, list[Row]] = {
    "inbound_sms": [("customer", None, [FROM])],
    "inbound_mms": [("customer", None, [FROM])],
    "national_number": [("customer", None, [FROM])],  # region US from the context
    "status_delivered": [],
}


def rows(out: Normalized) -> list[Row]:
    found: list[Row] = []
    for e in out.events:
        s = getattr(e, "sender", None)
        if isinstance(s, ev.Sender):
            ids: list[Ident] = [
                (i.kind, i.value, str(i.level), i.verified, i.source) for i in s.identifiers
            ]
            found.append((s.role, s.display_name, ids))
    return found


@pytest.fixture(scope="module")
def pywa(corpora: Path) -> Path:
    return corpora / "david-lev-pywa" / "tests" / "data" / "updates"


def wa_case(root: Path, name: str) -> bytes:
    file, case = name.split(":")
    return named_cases(root / file)[case]


@pytest.mark.parametrize("name", sorted(WHATSAPP))
def test_whatsapp(pywa: Path, name: str) -> None:
    assert rows(whatsapp(wa_case(pywa, name), CTX)) == WHATSAPP[name]


def bundle(channel: str, name: str) -> bytes:
    return named_cases(FIXTURES / channel / "webhooks.json")[name]


TABLES: dict[str, tuple[dict[str, list[Row]], Callable[[str], Normalized]]] = {
    "telegram": (TELEGRAM, lambda n: telegram(bundle("telegram", n), CTX)),
    "messenger": (MESSENGER, lambda n: meta(bundle("messenger", n), CTX)),
    "instagram": (INSTAGRAM, lambda n: meta(bundle("instagram", n), CTX)),
    "x": (X, lambda n: x(bundle("x", n), CTX)),
    "sms": (SMS, lambda n: sms((FIXTURES / "twilio" / f"{n}.form").read_bytes(), CTX)),
}
CASES = [(p, n) for p, (table, _) in TABLES.items() for n in table]


@pytest.mark.parametrize(("provider", "name"), CASES, ids=[f"{p}:{n}" for p, n in CASES])
def test_fixture_tables(provider: str, name: str) -> None:
    table, run = TABLES[provider]
    assert rows(run(name)) == table[name]


def every_sender(pywa: Path) -> list[tuple[str, ev.Sender]]:
    outs = [(f"wa:{f.name}", whatsapp(b, CTX)) for f in pywa.glob("*.json") for b in _bodies(f)]
    outs += [
        (p, run(n)) for p, (_, run) in TABLES.items() for n in _fixture_names(p) if n != "typing"
    ]
    return [(where, s) for where, out in outs for e in out.events if (s := _sender(e))]


def _bodies(path: Path) -> list[bytes]:
    return list(named_cases(path).values())


def _fixture_names(provider: str) -> list[str]:
    if provider == "sms":
        return [f.stem for f in (FIXTURES / "twilio").glob("*.form")]
    return list(named_cases(FIXTURES / provider / "webhooks.json"))


def _sender(e: ev.Event) -> ev.Sender | None:
    s = getattr(e, "sender", None)
    return s if isinstance(s, ev.Sender) else None


def test_every_identifier_has_a_level_and_only_linking_levels_are_verified(pywa: Path) -> None:
    senders = every_sender(pywa)
    assert len(senders) > 60  # the whole corpus and every fixture, not a handful
    for where, s in senders:
        for i in s.identifiers:
            assert i.level is not None, (where, i)
            assert i.verified == (i.level in ev.LINKING_LEVELS), (where, i)
        if s.role == "customer":  # every customer can be told apart by a provider identifier
            assert s.identifiers, where
