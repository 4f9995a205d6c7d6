"""What the store says about a bench's broadcast once the bot has taken in every answer."""

from __future__ import annotations

import asyncio
import time

from bot.runtime import Runtime
from bot.store.records import DeliveryStatus

# How long to wait for the last sends' answers to be taken in. The fake counts a post when it
# arrives, before the bot has read the answer and recorded the send; on a busy machine that gap
# is long enough to count a delivered post as still queued. Waiting for a condition, not a time.
SETTLE_SECONDS = 60.0


async def outbox_figures(runtime: Runtime) -> dict[str, int]:
    """Given up on (failed or skipped) and still queued, once nothing is left in flight or the
    settle time has run out (then what is still queued is reported as it is)."""
    (key,) = await runtime.store.announcement_keys("free|")
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        await runtime.engine.write_outcomes()  # the last sends' outcomes, written in batches
        counts = await runtime.store.delivery_counts(key)
        queued = counts[DeliveryStatus.PENDING] + counts[DeliveryStatus.SENDING]
        if queued == 0 or time.monotonic() >= deadline:
            break
        await asyncio.sleep(0.05)
    return {
        "gave_up": counts[DeliveryStatus.FAILED] + counts[DeliveryStatus.SKIPPED],
        "still_queued": queued,
    }
