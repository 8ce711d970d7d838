"""Channel accounts, managed by a tenant's admins: create, change, rotate a secret, delete.

A secret has at most two values, newest first, so a provider secret can be rotated without a
gap (both are valid until the old one is retired). Every value is stored sealed
(``hotline.accounts.sealing``, key HOTLINE_CHANNEL_SECRETS_KEY) and opened only by
``secret_values``; ``view`` — what the API shows — has their names, how many values each has
and when they were set, never a value. Nothing here logs a value. Every change goes to the
outbox in its own transaction (``channel_events``), for the edges.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any, get_args

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.accounts.sealing import KEY_VARIABLE, Sealer
from hotline.events import ChannelKind
from unifier.domain.surveys import BadSurveyConfig, SurveyConfig
from unifier.service.channel_events import announce
from unifier.service.commands import CommandError, known
from unifier.store import channel_rows

KINDS = frozenset(get_args(ChannelKind))
MAX_VALUES = 2  # per secret: the current one and the one being rotated out
_ACCOUNT = re.compile(r"[^\s/]{1,320}")
_SECRET_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
MAX_NAME, MAX_SETTINGS, MAX_SECRET, MAX_SECRETS = 200, 16 * 1024, 4096, 32


def _bad(detail: str) -> CommandError:
    return CommandError(422, "bad_channel_account", detail)


def checked_key(kind: str, account_id: str) -> tuple[str, str]:
    if kind not in KINDS:
        raise _bad(f"kind: one of {', '.join(sorted(KINDS))}")
    if not _ACCOUNT.fullmatch(account_id):
        raise _bad("account_id: 1-320 characters, no spaces or slashes")
    return kind, account_id


def checked_fields(name: str, settings: dict[str, Any]) -> dict[str, Any]:
    if not 0 < len(name.strip()) <= MAX_NAME:
        raise _bad(f"name: 1-{MAX_NAME} characters")
    if len(json.dumps(settings)) > MAX_SETTINGS:
        raise _bad(f"settings: at most {MAX_SETTINGS} bytes of JSON")
    _check_survey(settings.get("csat"))
    return {"name": name.strip(), "settings": settings}


def _check_survey(survey: object) -> None:
    """The inbox's survey settings (``settings.csat``), refused here rather than at a close."""
    if survey is None:
        return
    if not isinstance(survey, dict):
        raise _bad("settings.csat: an object (enabled, scale, expiry_hours, question)")
    try:
        SurveyConfig().merged(survey)
    except BadSurveyConfig as exc:
        raise _bad(f"settings.csat: {exc}") from None


def checked_secret(name: str, value: object) -> str:
    """``value`` when it is a good value of secret ``name`` (the error never repeats it)."""
    if not _SECRET_NAME.fullmatch(name):
        raise _bad("secret name: 1-64 of a-z, 0-9 and _, starting with a letter")
    if not isinstance(value, str) or not 0 < len(value) <= MAX_SECRET or value.strip() != value:
        raise _bad(f"secret {name}: 1-{MAX_SECRET} characters, no surrounding spaces")
    return value


def checked_secrets(secrets: object) -> dict[str, list[str]]:
    """An API body's ``{name: value}`` (or nothing) as ``{name: [value]}``."""
    if secrets is None:
        return {}
    if not isinstance(secrets, dict) or len(secrets) > MAX_SECRETS:
        raise _bad(f"secrets: an object of at most {MAX_SECRETS} names and values")
    return {str(name): [checked_secret(str(name), v)] for name, v in secrets.items()}


def usable(sealer: Sealer | None) -> Sealer:
    """The sealer, or the refusal to store a secret without a key (outside dev)."""
    if sealer is None:
        raise CommandError(
            503, "no_secrets_key", f"{KEY_VARIABLE} is not set: no channel account can be stored"
        )
    return sealer


def stamped(values: list[str], at: datetime, sealer: Sealer) -> list[dict[str, str]]:
    """``values`` sealed, each with when it was set."""
    return [{"value": sealer.seal(v), "set_at": at.isoformat()} for v in values]


def view(row: dict[str, Any]) -> dict[str, Any]:
    """The account as the API shows it: secrets by name only."""
    secrets = {
        name: {"values": len(vals), "set_at": [v["set_at"] for v in vals]}
        for name, vals in sorted(row["secrets"].items())
    }
    return {**{k: v for k, v in row.items() if k != "secrets"}, "secrets": secrets}


def secret_values(row: dict[str, Any], sealer: Sealer) -> dict[str, list[str]]:
    """The valid values of each secret, opened, newest first: never for the API."""
    return {name: [sealer.open(v["value"]) for v in vals] for name, vals in row["secrets"].items()}


async def _row(conn: AsyncConnection, tenant: str, kind: str, account_id: str) -> dict[str, Any]:
    found = await channel_rows.one(conn, tenant, kind, account_id)
    return known(found, f"channel account {kind}:{account_id}")


async def get(conn: AsyncConnection, tenant: str, kind: str, account_id: str) -> dict[str, Any]:
    return view(await _row(conn, tenant, kind, account_id))


async def announced(
    conn: AsyncConnection, tenant: str, kind: str, account_id: str
) -> dict[str, Any]:
    """The account after a change, put in the outbox for the edges; its view for the API."""
    row = await _row(conn, tenant, kind, account_id)
    await announce(conn, row)
    return view(row)


async def listed(conn: AsyncConnection, tenant: str) -> list[dict[str, Any]]:
    return [view(r) for r in await channel_rows.all_of(conn, tenant)]


async def create(
    conn: AsyncConnection,
    sealer: Sealer | None,
    tenant: str,
    key: tuple[str, str],
    fields: dict[str, Any],
    secrets: dict[str, list[str]],
) -> dict[str, Any]:
    """``fields``: name, settings, enabled; ``secrets``: checked by the caller already
    (``checked_secrets``, ``checked_values``). 409 when the account is any tenant's already."""
    kind, account_id = checked_key(*key)
    now, seal = datetime.now(UTC), usable(sealer)
    stored = {n: stamped(vs, now, seal) for n, vs in secrets.items()}
    values = checked_fields(fields["name"], fields["settings"]) | {"enabled": fields["enabled"]}
    try:
        await channel_rows.add(
            conn, tenant=tenant, kind=kind, account_id=account_id, secrets=stored,
            created_at=now, updated_at=now, **values,
        )  # fmt: skip
    except channel_rows.AccountTaken as exc:
        raise CommandError(409, "account_taken", f"channel account {exc} exists") from None
    return await announced(conn, tenant, kind, account_id)


def checked_values(name: str, values: list[str]) -> list[str]:
    if not 0 < len(values) <= MAX_VALUES:
        raise _bad(f"secret {name}: 1-{MAX_VALUES} values")
    return [checked_secret(name, v) for v in values]


async def update(
    conn: AsyncConnection, tenant: str, kind: str, account_id: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """``changes``: any of name, settings, enabled."""
    row = await _row(conn, tenant, kind, account_id)
    merged = {k: changes.get(k, row[k]) for k in ("name", "settings", "enabled")}
    values = checked_fields(merged["name"], merged["settings"]) | {"enabled": merged["enabled"]}
    await channel_rows.change(
        conn, tenant, kind, account_id, updated_at=datetime.now(UTC), **values
    )
    return await announced(conn, tenant, kind, account_id)


async def set_secrets(
    conn: AsyncConnection, row: dict[str, Any], secrets: dict[str, list[dict[str, str]]]
) -> dict[str, Any]:
    """Store ``secrets`` (sealed, stamped) as ``row``'s and announce the change."""
    key = (row["tenant"], row["kind"], row["account_id"])
    await channel_rows.change(conn, *key, secrets=secrets, updated_at=datetime.now(UTC))
    return await announced(conn, *key)


async def rotate(
    conn: AsyncConnection,
    sealer: Sealer | None,
    tenant: str,
    key: tuple[str, str],
    name: str,
    value: object,
) -> dict[str, Any]:
    """Add ``value`` as the newest value of secret ``name`` of account ``key`` (kind,
    account_id); the oldest past two goes."""
    row = await _row(conn, tenant, *key)
    new = stamped([checked_secret(name, value)], datetime.now(UTC), usable(sealer))
    kept = row["secrets"].get(name, [])[: MAX_VALUES - 1]
    return await set_secrets(conn, row, row["secrets"] | {name: new + kept})


async def retire(
    conn: AsyncConnection, tenant: str, kind: str, account_id: str, name: str, index: int
) -> dict[str, Any]:
    """Drop value ``index`` (0 = newest) of secret ``name``; the name goes with its last value."""
    row = await _row(conn, tenant, kind, account_id)
    values = list(row["secrets"].get(name, []))
    if not 0 <= index < len(values):
        raise CommandError(404, "not_found", f"secret {name} value {index}")
    del values[index]
    secrets = {n: v for n, v in row["secrets"].items() if n != name}
    return await set_secrets(conn, row, secrets | ({name: values} if values else {}))


async def delete(conn: AsyncConnection, tenant: str, kind: str, account_id: str) -> None:
    row = await _row(conn, tenant, kind, account_id)
    if not await channel_rows.remove(conn, tenant, kind, account_id):  # deleted meanwhile
        raise CommandError(404, "not_found", f"channel account {kind}:{account_id}")
    await announce(conn, row, removed=True)
