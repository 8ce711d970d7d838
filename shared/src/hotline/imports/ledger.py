"""The import ledger: markers (event ids, or the sha256 of a dead letter's bytes) Kafka acked,
one per line, so a second run — or a run resumed after a crash or a broker outage — skips
them as *already seen* instead of publishing them again."""

from __future__ import annotations

import os
from pathlib import Path


class Ledger:
    """Markers an import had acked, appended (and synced) after each acked batch."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.markers: set[str] = set()
        if path is not None and path.exists():
            with path.open(encoding="ascii") as f:
                self.markers.update(line.strip() for line in f if line.strip())

    def __contains__(self, marker: object) -> bool:
        return marker in self.markers

    def record(self, markers: list[str]) -> None:
        """Append to the file; ``markers`` (what earlier runs acked) stays as it was read."""
        if self.path is None or not markers:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="ascii") as f:
            f.write("".join(m + "\n" for m in markers))
            f.flush()
            os.fsync(f.fileno())
