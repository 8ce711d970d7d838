"""``hotline sla due`` and ``hotline sla between`` as the installed ``hotline`` command runs
them (a subprocess, entry point and all) on a calendar file; the rarer answers in-process
(``hotline.cli.app``, the same command tree) since each subprocess costs about 2 s of start-up."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hotline.cli import app

HOTLINE = Path(sys.executable).parent / "hotline"
CALENDAR = """
timezone = "Europe/Berlin"
country = "DE"
subdivision = "BY"

[week]
mon = ["09:00-17:00"]
tue = ["09:00-17:00"]
wed = ["09:00-17:00"]
thu = ["09:00-17:00"]
fri = ["09:00-17:00"]
"""


def sla(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(HOTLINE), *_arguments(tmp_path, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def sla_in_process(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, _arguments(tmp_path, args), env={"COLUMNS": "300"})
    return result.exit_code, result.stdout, result.stderr


def _arguments(tmp_path: Path, args: tuple[str, ...]) -> list[str]:
    path = tmp_path / "team.toml"
    path.write_text(CALENDAR, encoding="utf-8")
    return ["sla", args[0], "--calendar", str(path), *args[1:]]


@pytest.mark.parametrize(
    ("args", "lines"),
    [
        (  # Chatwoot's case; a timestamp without offset is the calendar's wall clock
            ("--from", "2026-03-06T16:30", "--target", "1h"),
            ["2026-03-09T09:30:00+01:00 Europe/Berlin", "2026-03-09T08:30:00+00:00 UTC"],
        ),
        (  # from UTC, over Epiphany (a Bavarian holiday) and the lunch-less day
            ("--from", "2026-01-05T15:30Z", "--target", "1h30m"),
            ["2026-01-07T10:00:00+01:00 Europe/Berlin", "2026-01-07T09:00:00+00:00 UTC"],
        ),
        (  # over the spring-forward weekend
            ("--from", "2026-03-27T16:00+01:00", "--target", "2h"),
            ["2026-03-30T10:00:00+02:00 Europe/Berlin", "2026-03-30T08:00:00+00:00 UTC"],
        ),
        (  # calendar time: 2 days 4 hours elapsed, the calendar's hours ignored
            ("--from", "2026-03-06T16:30", "--target", "2d4h", "--calendar-time"),
            ["2026-03-08T20:30:00+01:00 Europe/Berlin", "2026-03-08T19:30:00+00:00 UTC"],
        ),
    ],
)
def test_due(tmp_path: Path, args: tuple[str, ...], lines: list[str]) -> None:
    result = sla(tmp_path, "due", *args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == lines


@pytest.mark.parametrize(
    ("a", "b", "line"),
    [
        ("2026-03-06T16:30", "2026-03-09T10:00", "1h30m (5400 s)"),
        ("2026-03-09T10:00", "2026-03-06T16:30", "-1h30m (-5400 s)"),
        ("2026-01-05T00:00+01:00", "2026-01-10T00:00+01:00", "32h (115200 s)"),
    ],
)
def test_between(tmp_path: Path, a: str, b: str, line: str) -> None:
    code, out, err = sla_in_process(tmp_path, "between", a, b)
    assert code == 0, err
    assert out.splitlines() == [line]


def test_between_as_a_command(tmp_path: Path) -> None:
    result = sla(tmp_path, "between", "2026-03-06T16:30", "2026-03-09T10:00+01:00")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "1h30m (5400 s)\n"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("--from", "2026-03-06T16:30", "--target", "1d"), "a business day has no fixed length"),
        (("--from", "2026-03-06T16:30", "--target", "soon"), "write it like 8h"),
        (("--from", "Friday", "--target", "1h"), "timestamp 'Friday'"),
    ],
)
def test_bad_input_is_a_clear_error(tmp_path: Path, args: tuple[str, ...], error: str) -> None:
    code, out, err = sla_in_process(tmp_path, "due", *args)
    assert (code, out) == (2, "")
    assert error in err


def test_a_bad_calendar_file_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "none.toml"
    command = [str(HOTLINE), "sla", "due", "--calendar", str(missing), "--from", "2026-03-06T16:30"]
    result = subprocess.run(
        [*command, "--target", "1h"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2
    assert "cannot read calendar file" in result.stderr
