"""The relay's lock is named after the database it relays from; it runs at the unifier's
priority."""

from __future__ import annotations

from pathlib import Path

import pytest

from unifier.entrypoints.relay_process import RelayConfig
from unifier.settings import UnifierSettings


def lock_for(url: str | None = None) -> Path:
    settings = UnifierSettings(env="test", database_url=url) if url else UnifierSettings(env="test")
    return RelayConfig.of(settings).lock_path()


def test_relative_sqlite_urls_in_two_checkouts_are_two_databases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = []
    for checkout in ("a", "b"):
        (tmp_path / checkout).mkdir()
        monkeypatch.chdir(tmp_path / checkout)
        names.append(lock_for())  # the default, sqlite:///var/unifier.db
    monkeypatch.chdir(tmp_path / "a")
    assert names[0] != names[1]
    assert lock_for(f"sqlite:///{tmp_path}/a/var/unifier.db") == names[0]


def test_other_databases_by_url() -> None:
    assert lock_for("postgresql://h/db1") != lock_for("postgresql://h/db2")
    assert lock_for("postgresql://h/db1") == lock_for("postgresql://h/db1")


def test_the_relay_runs_at_the_unifiers_cpu_priority(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_CPU_NICE", "10")  # as the local stack starts the unifier
    config = RelayConfig.of(UnifierSettings(env="test"))
    assert config.cpu_nice == 10
