"""``hotline import calls`` as the CLI runs it (voice's ``import`` group merged with
email_ingest's): a dry run prints its counts and bad rows; bad options and files get a clear
answer and change nothing; no broker is a clear error."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from hotline.cli import app

FIXTURES = Path(__file__).parents[2] / "fixtures" / "voice" / "cdr"
NO_BROKER = "127.0.0.1:9"  # nothing listens there


def invoke(tmp_path: Path, *args: str, **extra: str) -> tuple[int, str]:
    """Exit status, and stdout (the summary) when ``--json`` was asked, else all output."""
    env = {
        "HOTLINE_ENV": "test",
        "HOTLINE_KAFKA_BOOTSTRAP": NO_BROKER,
        "HOTLINE_DEFAULT_TENANT": "acme",
        "COLUMNS": "300",  # error boxes wrap at the terminal's width
        **extra,
    }
    result = CliRunner().invoke(app, ["import", "calls", *args], env=env)
    return result.exit_code, result.stdout if "--json" in args else result.output


def test_the_import_group_has_the_mail_and_the_call_commands(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["import", "--help"], env={"COLUMNS": "300"})
    assert result.exit_code == 0
    assert all(name in result.output for name in ("mbox", "maildir", "calls"))


def test_a_dry_run_prints_what_would_happen_and_needs_no_broker(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.ids"
    master = str(FIXTURES / "Master.csv")
    code, out = invoke(tmp_path, master, "--region", "DE", "--dry-run", "--ledger", str(ledger))
    assert code == 0, out
    assert "call import into tenant 'acme', voice account 'pbx'" in out
    assert "would be dead-lettered: unknown_disposition" in out
    assert "disposition 'MAYBE'" in out  # the bad rows, by line
    code, out = invoke(
        tmp_path, master, "--region", "de", "--dry-run", "--json", "--ledger", str(ledger)
    )
    doc = json.loads(out)
    assert (doc["rows"], doc["imported"], doc["events"]) == (16, 9, 21)
    assert doc["skipped"] == {"internal_call": 1, "same_call": 1}
    assert [(b["line"], b["reason"]) for b in doc["bad_rows"]][:2] == [
        (10, "unknown_disposition"),
        (11, "column_count"),
    ]
    assert not ledger.exists()


def test_the_generic_format(tmp_path: Path) -> None:
    args = (str(FIXTURES / "calls.csv"), "--format", "csv", "--dry-run", "--json")
    code, out = invoke(tmp_path, *args, "--account", "pbx-berlin", "--ledger", str(tmp_path / "l"))
    assert code == 0, out
    doc = json.loads(out)
    assert (doc["account"], doc["imported"], sum(doc["dead_lettered"].values())) == (
        "pbx-berlin",
        7,
        4,
    )


def test_a_generic_file_without_its_header_is_refused(tmp_path: Path) -> None:
    code, out = invoke(tmp_path, str(FIXTURES / "Master.csv"), "--format", "csv", "--dry-run")
    assert code == 2 and "has no call_id" in out


def test_bad_options_are_refused(tmp_path: Path) -> None:
    master = str(FIXTURES / "Master.csv")
    code, out = invoke(tmp_path, master, "--region", "XX", "--dry-run")
    assert code == 2 and "'XX' is no phone region" in out
    code, out = invoke(tmp_path, master, "--timezone", "Mars/Olympus", "--dry-run")
    assert code == 2 and "unknown time zone 'Mars/Olympus'" in out
    code, out = invoke(tmp_path, master, "--format", "excel", "--dry-run")
    assert code == 2 and "excel" in out
    code, out = invoke(tmp_path, str(tmp_path / "missing.csv"), "--dry-run")
    assert code == 2 and "does not exist" in out


def test_a_tenant_other_than_the_accounts_own_is_refused(tmp_path: Path) -> None:
    tenants = json.dumps({"voice:pbx-berlin": "acme"})
    args = (str(FIXTURES / "Master.csv"), "--account", "pbx-berlin", "--dry-run")
    code, out = invoke(tmp_path, *args, "--tenant", "other", HOTLINE_TENANTS=tenants)
    assert code == 2 and "belongs to tenant 'acme'" in out
    ledger = str(tmp_path / "ledger.ids")
    code, out = invoke(tmp_path, *args, "--json", "--ledger", ledger, HOTLINE_TENANTS=tenants)
    assert code == 0, out
    assert json.loads(out)["tenant"] == "acme"


def test_no_broker_is_a_clear_error_and_nothing_is_recorded(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.ids"
    code, out = invoke(tmp_path, str(FIXTURES / "Master.csv"), "--ledger", str(ledger))
    assert code == 1
    assert f"Kafka at {NO_BROKER} is not reachable" in out
    assert not ledger.exists()
