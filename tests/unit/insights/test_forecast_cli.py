"""``hotline forecast --from-csv`` as the CLI runs it (registered through insights'
``hotline.commands`` entry point) on a small CSV."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from hotline.cli import app
from insights.staffing import erlang_c
from insights.staffing.targets import Target
from tests.unit.insights.synthetic import counts_csv


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["forecast", *args], env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def test_it_prints_the_forecast_the_peaks_and_the_staffing_curve(tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    path.write_text(counts_csv(14), encoding="utf-8")
    common = ["--from-csv", str(path), "--interval", "1h", "--horizon", "2", "--aht", "240"]
    code, out, err = invoke(*common, "--holiday", "2024-03-19")
    assert code == 0, err
    assert "Forecast" in out and "Next peaks" in out and "Staffing curve" in out
    assert "Mon 2024-03-18 10:00" in out and "Tue 2024-03-19 (holiday)" in out
    code, out, err = invoke(*common, "--json", "--sl", "0.9", "--shrinkage", "0.25")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["history"]["intervals"] == 14 * 24 and len(doc["intervals"]) == 48
    busiest = max(doc["intervals"], key=lambda i: i["arrivals"])
    target = Target(aht=240, service_level=0.9, shrinkage=0.25)
    need = erlang_c.agents_for(busiest["arrivals"] / 3600 * 240, target)
    assert busiest["agents_on_line"] == need.agents >= 3
    assert busiest["agents_scheduled"] == -(-need.agents * 4 // 3)


def test_bad_input_is_a_clear_message_and_a_non_zero_exit(tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    path.write_text("hour,calls\n2024-03-04 09:00,4\n2024-03-04 10:00,x\n", encoding="utf-8")
    code, _, err = invoke("--from-csv", str(path), "--interval", "1h")
    assert code == 2 and "error: line 3: count 'x' is not a number" in err
    path.write_text(counts_csv(1), encoding="utf-8")
    code, _, err = invoke("--from-csv", str(path), "--interval", "1h")
    assert code == 2 and "at least two days of history" in err
    code, _, err = invoke("--from-csv", str(path), "--interval", "7m")
    assert code == 2 and "does not divide a day evenly" in err
    code, _, err = invoke("--from-csv", str(path), "--interval", "1h", "--country", "XX")
    assert code == 2 and "error:" in err
