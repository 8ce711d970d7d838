"""HOTLINE_CPU_NICE: a consumer yields the cores to the ack path on a shared host."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from hotline import priority
from hotline.settings import ServiceSettings
from hotline_tools.devstack.stack import Stack

CHILD = (
    "import os; from hotline import priority; priority.lower({nice}); "
    "print(os.getpriority(os.PRIO_PROCESS, 0)); print(open('/proc/self/autogroup').read().strip())"
)


def run_child(nice: int, *, new_session: bool) -> tuple[int, str]:
    """The child's own nice and its autogroup line, as it sees them after ``lower``."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD.format(nice=nice)],
        capture_output=True,
        text=True,
        check=True,
        start_new_session=new_session,
    ).stdout.split("\n")
    return int(out[0]), out[1]


def test_a_session_leader_lowers_its_autogroup_and_itself() -> None:
    nice, group = run_child(7, new_session=True)
    assert nice == 7
    assert group.endswith("nice 7")


def test_outside_its_own_session_only_the_process_is_lowered() -> None:
    before = Path("/proc/self/autogroup").read_text().strip()
    nice, group = run_child(5, new_session=False)
    assert nice == 5
    assert group == before  # the parent's session keeps its priority


def test_zero_changes_nothing(tmp_path: Path) -> None:
    group = tmp_path / "autogroup"
    group.write_text("untouched")
    before = os.getpriority(os.PRIO_PROCESS, 0)
    priority.lower(0, group)
    assert os.getpriority(os.PRIO_PROCESS, 0) == before
    assert group.read_text() == "untouched"


@pytest.mark.parametrize("nice", [-1, 20])
def test_raising_priority_or_out_of_range_is_refused(nice: int) -> None:
    with pytest.raises(ValueError, match=r"0\.\.19"):
        priority.lower(nice)


@pytest.mark.parametrize("value", ["-5", "20"])
def test_settings_refuse_a_nice_out_of_range_at_start(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOTLINE_CPU_NICE", value)
    with pytest.raises(ValidationError, match="cpu_nice"):
        ServiceSettings()


def test_the_stack_sets_a_nice_only_for_the_services_it_names(tmp_path: Path) -> None:
    stack = Stack(tmp_path, nice={"unifier": 10})
    assert stack.services["unifier"].env["HOTLINE_CPU_NICE"] == "10"
    assert stack.services["unifier"].env["HOTLINE_DATABASE_URL"].startswith("sqlite:///")
    others = [s.env for n, s in stack.services.items() if n != "unifier"]
    assert all("HOTLINE_CPU_NICE" not in env for env in others)  # the caller's env decides
