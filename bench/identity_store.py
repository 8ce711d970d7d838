"""A unifier store pre-filled with people for make bench-identity: SQL bulk inserts, not the
unifier, so that 1,000,000 contacts take minutes.

Person j has one contact and three identities: an email (dmarc_aligned, as a DMARC-passing mail
records it), a WhatsApp wa_id and its E.164 phone (provider_verified). Every column is filled as
``store.write.write_plan`` fills it, including the link evidence, which comes from
``domain.identity.resolve`` on the message that would have carried the identifiers. The
schema is the store's own (``migrate`` first); the rows go in with SQLite ``executemany`` in
large transactions (``synchronous=OFF`` on the fill's own connection only) or PostgreSQL COPY.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Collection, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from sqlalchemy.dialects import sqlite

from hotline import events as ev
from hotline import unified as un
from unifier.domain.identity import resolve
from unifier.domain.unify import ID_NAMESPACE
from unifier.domain.working import NewIdentity
from unifier.store.engine import create_engine, migrate
from unifier.store.schema import contacts, identities

ACCOUNT = "acct"  # the channel account of the bench traffic (unifier_bench.envelope)
CHUNK = 50_000  # people per executemany / COPY
TXN = 4  # SQLite: chunks per transaction
SINCE = datetime(2025, 1, 1, tzinfo=UTC)  # contacts were created over the year before the run
FIRST = ("anna", "ben", "chloe", "david", "emma", "felix", "grace", "hugo", "ines", "jonas")
LAST = ("meyer", "smith", "garcia", "rossi", "novak", "dubois", "silva", "jensen", "kowalski")
DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "web.de", "icloud.com", "example.org")
CONTACT_COLS = tuple(c.name for c in contacts.columns)
IDENTITY_COLS = tuple(c.name for c in identities.columns)
Rows = Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]  # per chunk of people


def email_of(j: int) -> str:
    return f"{FIRST[j % 10]}.{LAST[j // 10 % 9]}{j}@{DOMAINS[j % 6]}"


def wa_id_of(j: int) -> str:
    return f"49151{j:08d}"  # a German mobile number, as WhatsApp sends it (no "+")


def email_id(j: int, level: ev.VerificationLevel, source: str) -> ev.Identifier:
    return ev.identifier("email", email_of(j), level, source)


def whatsapp_ids(j: int) -> list[ev.Identifier]:
    wa = wa_id_of(j)
    pairs: list[tuple[ev.IdentifierKind, str]] = [("wa_id", wa), ("phone", "+" + wa)]
    return [ev.identifier(k, v, "provider_verified") for k, v in pairs]


def person_rows(tenant: str, j: int, at: datetime) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Person j's contact row and identity rows: the email as its first mail recorded it, the
    wa_id and phone as its first WhatsApp message did."""
    first = ev.event_id_for(tenant, "email", f"seed-email-{j}")
    contact = un.time_ordered_str(ID_NAMESPACE, f"{first}\x1fcontact", at)
    row = {"tenant": tenant, "contact_id": contact, "merged_into": None, "created_at": at}
    mail = [email_id(j, "dmarc_aligned", "smtp.dmarc")]
    out = _recorded(tenant, contact, ("email", email_of(j), f"seed-email-{j}"), mail)
    out += _recorded(tenant, contact, ("whatsapp", wa_id_of(j), f"seed-wa-{j}"), whatsapp_ids(j))
    return row, out


def _recorded(
    tenant: str, contact: str, message: tuple[ev.ChannelKind, str, str], ids: list[ev.Identifier]
) -> list[dict[str, Any]]:
    """The rows ``write_plan`` stores for ``ids`` carried by a message (channel, sender handle,
    provider message id) that created ``contact``, with the evidence ``resolve`` gives it."""
    channel, handle, pmid = message
    link = ev.event_id_for(tenant, channel, pmid)
    why = resolve(ids, {}, "1").decision
    rows = []
    for i in ids:
        new = NewIdentity(contact, i.kind, i.value, i.trust(), True, i.source, channel, ACCOUNT,
                          handle, link, why.rule, why.evidence)  # fmt: skip
        rows.append({"tenant": tenant, **vars(new)})
    return rows


def people(tenant: str, who: Sequence[int], span: int) -> Rows:
    """(contact rows, identity rows) of people ``who`` (of ``span``, created over a year), per
    CHUNK people, as tuples in the tables' column order."""
    step = timedelta(days=365) / max(span, 1)
    for lo in range(0, len(who), CHUNK):
        cs, ids = [], []
        for j in who[lo : lo + CHUNK]:
            row, idents = person_rows(tenant, j, SINCE + j * step)
            cs.append(tuple(row[c] for c in CONTACT_COLS))
            ids += [tuple(i[c] for c in IDENTITY_COLS) for i in idents]
        yield cs, ids


async def fill_store(
    dsn: str, tenant: str, count: int, only: Collection[int] | None = None
) -> dict[str, Any]:
    """Migrate, then bulk-insert people 0 .. count - 1 (or just those ``only`` names, with the
    same rows); the time of each and the rows per second."""
    who = sorted(only) if only is not None else range(count)
    t0 = time.monotonic()
    engine = create_engine(dsn)
    await migrate(engine)
    await engine.dispose()
    t1 = time.monotonic()
    rows = people(tenant, who, count)
    if dsn.startswith("sqlite:"):
        _fill_sqlite(dsn.split(":///", 1)[1], rows)
    else:
        await _fill_postgres(dsn, rows)
    t2 = time.monotonic()
    return {
        "contacts": len(who),
        "identities": 3 * len(who),
        "migrate_s": round(t1 - t0, 2),
        "fill_s": round(t2 - t1, 1),
        "fill_rows_per_s": round(4 * len(who) / max(t2 - t1, 1e-9)),
    }


def _fill_sqlite(path: str, rows: Rows) -> None:
    dialect = sqlite.dialect()  # created_at as SQLAlchemy writes it to SQLite
    stamp = contacts.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)
    assert stamp is not None
    put_contact = _insert_sql("contacts", CONTACT_COLS)
    put_identity = _insert_sql("identities", IDENTITY_COLS)
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA synchronous=OFF")  # this connection only: the drain's are NORMAL
        db.execute("PRAGMA cache_size=-1048576")  # 1 GiB: the indexes grow in memory
        for n, (cs, ids) in enumerate(rows):
            if n % TXN == 0:
                db.execute("BEGIN")
            db.executemany(put_contact, [(t, c, m, stamp(at)) for t, c, m, at in cs])
            db.executemany(put_identity, ids)
            if n % TXN == TXN - 1:
                db.execute("COMMIT")
        if db.in_transaction:
            db.execute("COMMIT")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the drain starts with an empty WAL
    finally:
        db.close()


def _insert_sql(table: str, cols: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"


async def _fill_postgres(dsn: str, rows: Rows) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        for cs, ids in rows:
            await conn.copy_records_to_table("contacts", records=cs, columns=CONTACT_COLS)
            await conn.copy_records_to_table("identities", records=ids, columns=IDENTITY_COLS)
        await conn.execute("ANALYZE contacts, identities")  # as autovacuum would have by now
    finally:
        await conn.close()
