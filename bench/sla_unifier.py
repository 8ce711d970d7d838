"""The unifier process of make bench-sla: the production runtime (``build_runtime`` and
``start``, as the service's start-up runs it: the consumer loop, the sweeper, the outbox relay
in its child process, the leased SLA scheduler) on the seeded store, without the HTTP API. It
records when each commit's callback ran (right after the scheduler's transaction committed)
with the conversations it changed, and writes them to a JSON file when it stops.

    python -m bench.sla_unifier DSN BOOTSTRAP OUT_JSON UNTIL_EPOCH_SECONDS
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from pathlib import Path

from hotline import eventloop, logs
from hotline.kafka import EventProducer, ProducerSettings
from unifier.entrypoints.runtime import build_runtime
from unifier.settings import UnifierSettings


async def main(dsn: str, bootstrap: str, out: Path, until: float) -> None:
    settings = UnifierSettings(
        kafka_bootstrap=bootstrap,
        database_url=dsn,
        group_id="bench-sla",
        instance_id="bench-sla",
        env="test",
    )
    commits: list[tuple[float, list[str]]] = []

    def committed(changed: dict[str, list[str]]) -> None:
        commits.append((time.time(), [t for tids in changed.values() for t in tids]))

    producer = EventProducer(ProducerSettings(bootstrap=bootstrap))
    await producer.start()
    started = time.time()
    rt = await build_runtime(settings, producer, committed)
    rt.start()
    print(f"unifier started in {time.time() - started:.1f} s", flush=True)
    await asyncio.sleep(max(until - time.time(), 0))
    emitted = rt.sla.emitted if rt.sla else 0
    before_close = _peak_rss_mib()
    await rt.close()
    await producer.stop()
    own = resource.getrusage(resource.RUSAGE_SELF)
    out.write_text(  # noqa: ASYNC240 (the run is over: nothing else waits on the loop)
        json.dumps(
            {
                "commits": commits,
                "emitted": emitted,
                "ran_s": round(time.time() - started, 1),
                "cpu_s_total": round(own.ru_utime + own.ru_stime, 2),
                "max_rss_mib": round(own.ru_maxrss / 1024, 1),
                "peak_rss_mib_before_close": before_close,
            }
        )
    )


def _peak_rss_mib() -> float:
    status = Path("/proc/self/status").read_text()
    kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    return round(kib / 1024, 1)


if __name__ == "__main__":
    logs.configure("WARNING")
    dsn, bootstrap, out, until = sys.argv[1:5]
    eventloop.run(main(dsn, bootstrap, Path(out), float(until)), stop_on_term=True)
