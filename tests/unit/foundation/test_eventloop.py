"""A SIGTERM to a benchmark cancels its main task, so its ``finally`` blocks run (it stops the
stack it started), even where SIGINT is ignored (a background job of a script)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = """
import asyncio, pathlib, sys
from hotline import eventloop

async def main() -> None:
    print("ready", flush=True)
    try:
        await asyncio.sleep(30)
    finally:
        pathlib.Path(sys.argv[1]).write_text("stopped")

eventloop.run(main(), stop_on_term=sys.argv[2] == "1")
"""


@pytest.mark.parametrize("stop_on_term", [True, False])
def test_sigterm_runs_the_main_tasks_finally_only_when_asked(
    tmp_path: Path, stop_on_term: bool
) -> None:
    marker = tmp_path / "marker"
    proc = subprocess.Popen(  # SIGINT ignored, as in a script's background job
        [
            "bash",
            "-c",
            'trap "" INT; exec "$@"',
            "sh",
            sys.executable,
            "-c",
            SCRIPT,
            str(marker),
            "1" if stop_on_term else "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    proc.send_signal(signal.SIGTERM)
    status = proc.wait(timeout=20)
    assert marker.exists() is stop_on_term
    assert status == (143 if stop_on_term else -signal.SIGTERM)
