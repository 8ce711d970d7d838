"""The IMAP checkpoint: (UIDVALIDITY, last acked UID, the UID in flight), one JSON file per
mailbox written atomically (temp file, fsync, rename), so a crash leaves the old or the new
state. The file names its owner (``username@host/folder``): a mailbox refuses a checkpoint
that another mailbox wrote, so two mailboxes can never share one."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Pending:
    uid: int
    topic: str
    event_id: str
    partition_key: str


@dataclass(frozen=True)
class Checkpoint:
    uidvalidity: int = 0
    last_uid: int = 0
    pending: Pending | None = None  # published but not yet known to be acked


class CheckpointConflict(Exception):
    """The checkpoint file was written for another mailbox."""


class CheckpointFile:
    def __init__(self, path: Path, owner: str = "") -> None:
        self.path = path
        self.owner = owner  # "": no check (a file without an owner is adopted either way)

    def load(self) -> Checkpoint:
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return Checkpoint()
        found = doc.get("owner") or ""
        if self.owner and found and found != self.owner:
            raise CheckpointConflict(
                f"checkpoint {self.path} belongs to mailbox {found!r}, not {self.owner!r}"
            )
        pending = Pending(**doc["pending"]) if doc.get("pending") else None
        return Checkpoint(int(doc["uidvalidity"]), int(doc["last_uid"]), pending)

    def save(self, checkpoint: Checkpoint) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps({"owner": self.owner, **asdict(checkpoint)}).encode()
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".checkpoint-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
