"""``hotline normalize CHANNEL FILE`` for every social plugin over our fixtures: no errors.
The command runs in this process (typer's runner, the same app and plugins); the broken-file
case runs the installed ``hotline`` executable, as a user does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hotline.channels import registered
from hotline.cli import app
from tests.unit.social.helpers import FIXTURES
from tests.unit.social.test_messenger import INSTAGRAM, MESSENGER
from tests.unit.social.test_x_telegram_sms import SMS_KINDS, TG_KINDS, X_KINDS

FILES = {
    "messenger": ["messenger/webhooks.json"],
    "instagram": ["instagram/webhooks.json"],
    "x": ["x/webhooks.json"],
    "telegram": ["telegram/webhooks.json"],
    "sms": sorted(str(p.relative_to(FIXTURES)) for p in (FIXTURES / "twilio").glob("*.form")),
}
TABLES = {
    "messenger": MESSENGER,
    "instagram": INSTAGRAM,
    "x": X_KINDS,
    "telegram": TG_KINDS,
    "sms": SMS_KINDS,
}


def test_all_six_channels_are_registered() -> None:
    assert {"whatsapp", "messenger", "instagram", "x", "telegram", "sms"} <= set(registered())


@pytest.mark.parametrize("channel", sorted(FILES))
def test_cli_normalizes_our_fixtures(channel: str) -> None:
    args = ["normalize", channel, *(str(FIXTURES / f) for f in FILES[channel])]
    run = CliRunner().invoke(app, args)
    assert run.exit_code == 0, run.output
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(lines) == len(FILES[channel])
    assert all("error" not in line for line in lines), lines
    produced = [e for line in lines for e in line["events"]]
    assert len(produced) == sum(len(kinds) for kinds in TABLES[channel].values())
    assert {e["channel"]["kind"] for e in produced} == {channel}


def test_cli_reports_a_broken_file_instead_of_crashing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"object": "page", "entry": [{"id": 1}]}')
    hotline = Path(sys.executable).parent / "hotline"
    run = subprocess.run(
        [str(hotline), "normalize", "messenger", str(bad)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    (line,) = [json.loads(x) for x in run.stdout.splitlines()]
    assert line["error"]["reason"] == "schema_mismatch"
    assert "$.entry[0].id" in line["error"]["detail"]
