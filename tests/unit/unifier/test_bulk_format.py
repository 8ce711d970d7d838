"""Our SQLite datetime format is exactly SQLAlchemy's (rows written by both are read alike)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import sqlite

from unifier.store.bulk import sqlite_datetime

# SQLAlchemy leaves DATETIME.__init__ unannotated (*args, **kwargs): an untyped third-party call
SA = sqlite.DATETIME().bind_processor(sqlite.dialect())  # type: ignore[no-untyped-call]


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 11, 24, 22, 11, 51, tzinfo=UTC),
        datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
        datetime(999, 12, 31, 23, 59, 59, 999999),
        datetime(2026, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=2))),
    ],
)
def test_same_text_as_sqlalchemy(value: datetime) -> None:
    assert SA is not None
    assert sqlite_datetime(value) == SA(value)


def test_none_stays_none() -> None:
    assert sqlite_datetime(None) is None


def test_remembered_utc_text_is_not_given_to_an_equal_instant_elsewhere() -> None:
    utc = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    berlin = datetime(2026, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    assert utc == berlin
    assert (sqlite_datetime(utc), sqlite_datetime(berlin)) == (SA(utc), SA(berlin))  # type: ignore[misc]
