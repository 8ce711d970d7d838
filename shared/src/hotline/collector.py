"""Garbage-collector settings for the services' long-running processes.

What it does: every batch and request allocates many short-lived containers (decoded events,
working-set rows, statement parameters, request objects). With CPython's default young-
generation threshold (700 allocations) a collection runs every few messages, and the older
generations are walked again and again over everything imported at start. ``tune`` raises the
threshold to 50,000 and ``gc.freeze()`` moves what start-up created (modules, the app,
settings) out of the collector's sight for good; ``paused`` keeps collections out of one
consumer batch. The A/B on the unifier's drain and on the edges is in ``bench/profiling.md``.

What it costs: cyclic garbage lives longer (until the next, rarer collection), so a process
holds more memory between collections; whatever start-up left reachable is never collected.
``HOTLINE_GC_THRESHOLD=0`` keeps Python's defaults.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

DEFAULT_THRESHOLD = 50_000


def tune(threshold: int = DEFAULT_THRESHOLD) -> None:
    """Call once, after start-up imports and before serving."""
    if threshold <= 0:
        return
    gc.collect()
    gc.freeze()
    gc.set_threshold(threshold, 20, 100)


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No automatic collections inside (one batch of a consumer): its working set lives
    through the batch, so each young-generation collection would move it up and the older
    generations walk it again. Reference counting still frees everything as usual; cycles
    wait for the next collection after the block."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
