from __future__ import annotations

import asyncio

import pytest

from hotline.kafka.ackwatch import AckTimeout, AckWatch


async def test_pending_acks_fail_after_the_timeout_and_done_ones_are_left_alone() -> None:
    loop = asyncio.get_running_loop()
    watch = AckWatch(timeout=0.2, tick=0.02)
    acked, never = loop.create_future(), loop.create_future()
    watch.watch([acked, never])
    acked.set_result("metadata")
    with pytest.raises(AckTimeout):
        await asyncio.wait_for(never, 2)
    assert acked.result() == "metadata"
    assert not watch.pending
    late = loop.create_future()
    watch.watch([late])  # a new burst starts a new reaper
    await asyncio.sleep(0.05)
    late.set_result("ok")  # acked in time: untouched
    await asyncio.sleep(0.3)
    assert late.result() == "ok"
    await watch.close()
