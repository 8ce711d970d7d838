"""Language detection started ahead: as soon as the consumer has decoded a poll (it fetches and
decodes the next poll while the current one is stored), that poll's messages go to a worker
thread for detection, so a batch's detection overlaps the previous batch's decisions and
database writes instead of only its own load and decisions. When the batch is handled, its
guesses are taken from there; messages not started ahead (a poll taken partition by partition,
a retry after the started one was taken) are detected then, as before.

Detection depends only on the message text and the detector's settings, so a guess made ahead
is the guess made in line: the stored language and the ``language`` on
``conversation.message.added.v1`` are the same either way. Nothing here may fail ingestion: a
detector error gives no guesses (``LanguageDetector.detect`` never raises).

What it costs: the detections of at most ``keep`` polls wait in memory until their batch takes
them (polls dropped by a rebalance are forgotten past that). The A/B is in bench/profiling.md.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from hotline import events as ev
from unifier.domain.triage import LanguageGuess
from unifier.service.language import LanguageDetector

log = logging.getLogger(__name__)
Guesses = dict[str, LanguageGuess]  # event id -> guess


class LanguagesAhead:
    def __init__(self, detector: LanguageDetector, keep: int = 4) -> None:
        self.detector, self.keep = detector, keep
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="triage-ahead")
        self._started: dict[str, Future[Guesses]] = {}  # event id -> its poll's detection
        self._polls: deque[list[str]] = deque()  # the started polls' event ids, oldest first

    def start(self, events: Sequence[ev.MessageReceived]) -> None:
        """Detect these messages' languages on the worker thread, from now (event loop)."""
        if not events:
            return
        started = self._pool.submit(self.detector.guesses, list(events))
        ids = [e.event_id for e in events]
        self._started.update(dict.fromkeys(ids, started))
        self._polls.append(ids)
        while len(self._polls) > self.keep:
            for old in self._polls.popleft():
                self._started.pop(old, None)

    def take(self, events: Sequence[ev.MessageReceived]) -> Callable[[], Guesses]:
        """The events' detection, as a call for a worker thread (it may wait there for the
        detection started ahead): their guesses by event id. Called on the event loop."""
        started: dict[int, Future[Guesses]] = {}
        missing: list[ev.MessageReceived] = []
        for e in events:
            found = self._started.pop(e.event_id, None)
            if found is None:
                missing.append(e)
            else:
                started[id(found)] = found
        wanted = {e.event_id for e in events}

        def collect() -> Guesses:
            out: Guesses = {}
            for future in started.values():
                try:
                    found = future.result()
                except Exception as exc:  # as the detector's own errors: no guesses
                    log.error("language detection failed", extra={"error": repr(exc)})
                    continue
                out.update((k, g) for k, g in found.items() if k in wanted)
            if missing:
                out.update(self.detector.guesses(missing))
            return out

        return collect

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
