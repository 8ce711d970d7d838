"""``hotline import`` as the CLI runs it (registered through email_ingest's ``hotline.commands``
entry point): bad input gets a clear answer and changes nothing; a dry run prints its counts."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from hotline.cli import app
from tests.mail_archives import poison, write_maildir, write_mbox

NO_BROKER = "127.0.0.1:9"  # nothing listens there


def env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "HOTLINE_ENV": "test",
        "HOTLINE_KAFKA_BOOTSTRAP": NO_BROKER,
        "HOTLINE_DEFAULT_TENANT": "acme",
        "HOTLINE_BLOB_DIR": str(tmp_path / "blobs"),
        "HOTLINE_WEBHOOK_SECRETS": '["import-test-webhook-secret-0123456789"]',
        **extra,
    }


def invoke(tmp_path: Path, *args: str, **extra: str) -> tuple[int, str]:
    """Exit status, and stdout (the summary) when ``--json`` was asked, else all output."""
    wide = {"COLUMNS": "300", **extra}  # error boxes wrap at the terminal's width
    result = CliRunner().invoke(app, ["import", *args], env=env(tmp_path, **wide))
    return result.exit_code, result.stdout if "--json" in args else result.output


def mail(n: int) -> bytes:
    return f"From: a{n}@x.test\nSubject: s{n}\nMessage-ID: <c{n}@x>\n\nbody {n}\n".encode()


def test_a_dry_run_prints_what_would_happen_and_needs_no_broker(tmp_path: Path) -> None:
    path = tmp_path / "a.mbox"
    write_mbox(path, [mail(1), mail(2), mail(1), poison()])
    ledger = tmp_path / "ledger.ids"
    code, out = invoke(tmp_path, "mbox", str(path), "--dry-run", "--ledger", str(ledger))
    assert code == 0, out
    assert "would be imported" in out and "would be dead-lettered: mime_too_deep" in out
    assert "import into tenant 'acme'" in out
    code, out = invoke(tmp_path, "mbox", str(path), "--dry-run", "--json", "--ledger", str(ledger))
    doc = json.loads(out)
    assert (doc["imported"], doc["duplicates"], doc["dead_lettered"]) == (
        2,
        1,
        {"mime_too_deep": 1},
    )
    assert not ledger.exists() and not (tmp_path / "blobs").exists()


def test_no_broker_is_a_clear_error_and_nothing_is_recorded(tmp_path: Path) -> None:
    path = tmp_path / "a.mbox"
    write_mbox(path, [mail(1)])
    ledger = tmp_path / "ledger.ids"
    code, out = invoke(tmp_path, "mbox", str(path), "--ledger", str(ledger))
    assert code == 1
    assert f"Kafka at {NO_BROKER} is not reachable" in out
    assert not ledger.exists()


def test_a_file_that_is_no_mbox_is_refused(tmp_path: Path) -> None:
    eml = tmp_path / "one.eml"
    eml.write_bytes(mail(1))
    code, out = invoke(tmp_path, "mbox", str(eml), "--dry-run")
    assert code == 2 and "not an mbox" in out


def test_a_folder_that_is_no_maildir_is_refused(tmp_path: Path) -> None:
    code, out = invoke(tmp_path, "maildir", str(tmp_path), "--dry-run")
    assert code == 2 and "not a Maildir" in out


def test_an_unknown_variant_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.mbox"
    write_mbox(path, [mail(1)])
    code, out = invoke(tmp_path, "mbox", str(path), "--variant", "mmdf", "--dry-run")
    assert code == 2 and "mmdf" in out


def test_a_tenant_other_than_the_accounts_own_is_refused(tmp_path: Path) -> None:
    root = write_maildir(tmp_path / "box", [mail(1)])
    tenants = json.dumps({"email:help@acme.test": "acme"})
    args = ("maildir", str(root), "--account", "help@acme.test", "--tenant", "other", "--dry-run")
    code, out = invoke(tmp_path, *args, HOTLINE_TENANTS=tenants)
    assert code == 2 and "belongs to tenant 'acme'" in out
    code, out = invoke(tmp_path, *args[:-3], "--json", "--dry-run", HOTLINE_TENANTS=tenants)
    assert code == 0, out
    assert json.loads(out)["tenant"] == "acme"
