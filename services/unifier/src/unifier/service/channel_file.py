"""The declarative channel-accounts file (GitOps), loaded at the unifier's start.

JSON (``.json``) or TOML (``.toml``), a list ``accounts`` of entries::

    [[accounts]]
    tenant = "acme"
    kind = "whatsapp"
    account_id = "106540352242922"      # the provider's own id
    name = "Acme support (+1 555 0100)"
    enabled = true                        # optional, true
    settings = {}                         # optional, non-secret
    [accounts.secrets]
    app_secret = { env = "HOTLINE_WA_APP_SECRET" }
    access_token = [{ env = "HOTLINE_WA_TOKEN_2" }, { env = "HOTLINE_WA_TOKEN_1" }]  # newest first

Secrets are references to environment variables (newest first, at most two), so the file holds
none; the database gets them sealed. Each entry is created, or updated when it differs (the
version moves, and the change goes to the outbox for the edges, only then); accounts that are
not in the file are left alone; a secret the file does not name is kept. One transaction: a bad
file changes nothing and is a ``ChannelFileError`` naming the entry.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.accounts.sealing import Sealer
from unifier.service import channel_accounts as accounts
from unifier.service.commands import CommandError
from unifier.store import channel_rows

_FIELDS = {"tenant", "kind", "account_id", "name", "enabled", "settings", "secrets"}


class ChannelFileError(Exception):
    pass


def parsed(path: Path) -> list[dict[str, Any]]:
    """The file's entries, checked for shape (values are checked when applied)."""
    try:
        text = path.read_text(encoding="utf-8")
        doc = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (OSError, ValueError) as exc:  # JSONDecodeError, TOMLDecodeError are ValueErrors
        raise ChannelFileError(f"{path}: cannot read it: {exc}") from None
    entries = doc.get("accounts") if isinstance(doc, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ChannelFileError(f"{path}: expected a list 'accounts' of tables/objects")
    return entries


def _secret(name: str, ref: Any, env: Mapping[str, str]) -> list[str]:
    refs = ref if isinstance(ref, list) else [ref]
    out = []
    for one in refs:
        var = one.get("env") if isinstance(one, dict) and len(one) == 1 else None
        if not isinstance(var, str):
            raise CommandError(422, "bad_file", f'secret {name}: {{"env": "VARIABLE"}} or a list')
        if not env.get(var):
            raise CommandError(422, "bad_file", f"secret {name}: environment variable {var} unset")
        out.append(env[var])
    return accounts.checked_values(name, out)


def _wanted(entry: dict[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    if unknown := set(entry) - _FIELDS:
        raise CommandError(422, "bad_file", f"unknown fields: {', '.join(sorted(unknown))}")
    for field in ("tenant", "kind", "account_id", "name"):
        if not isinstance(entry.get(field), str):
            raise CommandError(422, "bad_file", f"{field}: a string is required")
    settings, enabled = entry.get("settings", {}), entry.get("enabled", True)
    secrets = entry.get("secrets", {})
    if not (isinstance(settings, dict) and isinstance(enabled, bool) and isinstance(secrets, dict)):
        raise CommandError(422, "bad_file", "settings/secrets: tables; enabled: a boolean")
    key = accounts.checked_key(entry["kind"], entry["account_id"])
    return {
        "tenant": entry["tenant"], "kind": key[0], "account_id": key[1], "enabled": enabled,
        **accounts.checked_fields(entry["name"], settings),
        "secrets": {n: _secret(n, ref, env) for n, ref in secrets.items()},
    }  # fmt: skip


def _changes(
    row: dict[str, Any], want: dict[str, Any], now: datetime, sealer: Sealer
) -> dict[str, Any]:
    """What differs between the stored ``row`` and the file's ``want`` (empty: nothing)."""
    out = {k: want[k] for k in ("name", "settings", "enabled") if row[k] != want[k]}
    have = accounts.secret_values(row, sealer)
    moved = {n: vs for n, vs in want["secrets"].items() if have.get(n) != vs}
    if moved:
        fresh = {n: accounts.stamped(vs, now, sealer) for n, vs in moved.items()}
        out["secrets"] = row["secrets"] | fresh
    return out


async def _apply(conn: AsyncConnection, want: dict[str, Any], sealer: Sealer | None) -> str:
    key = (want["kind"], want["account_id"])
    row = await channel_rows.owner(conn, *key)
    if row is None:
        fields = {k: want[k] for k in ("name", "settings", "enabled")}
        await accounts.create(conn, sealer, want["tenant"], key, fields, want["secrets"])
        return "created"
    if row["tenant"] != want["tenant"]:
        raise CommandError(409, "account_taken", f"{key[0]}:{key[1]} is another tenant's")
    now = datetime.now(UTC)
    if not (changes := _changes(row, want, now, accounts.usable(sealer))):
        return "unchanged"
    await channel_rows.change(conn, want["tenant"], *key, updated_at=now, **changes)
    await accounts.announced(conn, want["tenant"], *key)
    return "updated"


async def load(
    conn: AsyncConnection, path: Path, env: Mapping[str, str], sealer: Sealer | None
) -> dict[str, list[str]]:
    """Apply the file at ``path``, sealing secrets with ``sealer``;
    ``{"created"|"updated"|"unchanged": ["kind:account", ...]}`` (run it in a transaction: on a
    ``ChannelFileError`` roll back)."""
    done: dict[str, list[str]] = {"created": [], "updated": [], "unchanged": []}
    for i, entry in enumerate(parsed(path)):
        try:
            outcome = await _apply(conn, _wanted(entry, env), sealer)
        except CommandError as exc:
            raise ChannelFileError(f"{path}: accounts[{i}]: {exc.detail}") from None
        done[outcome].append(f"{entry['kind']}:{entry['account_id']}")
    return done
