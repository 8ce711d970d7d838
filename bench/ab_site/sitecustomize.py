"""On ``PYTHONPATH`` for one variant of ``bench.speed_ab``: with ``BENCH_AB_LOOP=asyncio`` every
process of the run (the unifier's outbox relay child too) runs ``hotline.eventloop.run`` on
asyncio's own loop instead of uvloop."""

import os

if os.environ.get("BENCH_AB_LOOP") == "asyncio":
    import asyncio

    from hotline import eventloop

    def _run(main, *, stop_on_term=False):  # type: ignore[no-untyped-def]
        return asyncio.run(main)

    eventloop.run = _run
