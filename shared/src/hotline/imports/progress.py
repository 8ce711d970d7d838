"""The import progress bar: rich, on stderr, advanced to how far the source has been read."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn


class progress:
    """``total`` in ``unit`` ("bytes", or the noun itself when the total counts items);
    the callable it gives is called once per item with how far the source has been read."""

    def __init__(self, total: int, unit: str, console: Console, noun: str) -> None:
        counter = TextColumn("{task.completed:,.0f} B" if unit == "bytes" else "")
        self.bar = Progress(
            TextColumn("importing"),
            BarColumn(),
            MofNCompleteColumn() if unit == noun else counter,
            TextColumn("{task.fields[items]:,} " + noun),
            TimeRemainingColumn(),
            console=console,
        )
        self.task = self.bar.add_task("import", total=total, items=0)

    def __enter__(self) -> Callable[[int], None]:
        self.bar.start()
        count = 0

        def advance(done: int) -> None:
            nonlocal count
            count += 1
            self.bar.update(self.task, completed=done, items=count)

        return advance

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()
