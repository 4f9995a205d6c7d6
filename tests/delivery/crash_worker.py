"""A delivery process for the crash test: fans one announcement out, and may be SIGKILLed.

Usage: python tests/delivery/crash_worker.py DB LOG [--recipients N] [--rate R]

The first run stores N chats and the announcement; every run starts the engine on the same
database and sends until nothing is left. The fake platform appends each chat id it receives
to LOG, flushed and fsynced line by line before the engine hears of the send: the log is what
the platform got, whatever happens to this process afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

# Run as a script: make the repository importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.core.audience import Chat, ChatRef
from bot.core.clock import SystemClock
from bot.core.reply import Reply
from bot.delivery import DeliveryEngine, RateLimits
from bot.store import DeliveryStatus, OutboxItem, SQLiteStore
from tests.delivery.fake_sender import Delivered, FakeSender

KEY = "24h-series-2022/hockenheim/race-part-1|start"


def compose(item: OutboxItem, chat: Chat) -> Reply:
    return Reply(title=str(item.payload["title"]))


def platform_log(fd: int) -> Callable[[Delivered], Awaitable[None]]:
    def write(line: bytes) -> None:
        os.write(fd, line)  # O_APPEND: one short write is one whole line, never interleaved
        os.fsync(fd)

    async def received(delivered: Delivered) -> None:
        # In a thread: an fsync takes milliseconds, and several may overlap.
        await asyncio.to_thread(write, f"{delivered.chat_id}\n".encode())

    return received


async def prepare(store: SQLiteStore, recipients: int) -> None:
    if await store.has_announcement(KEY):
        return
    chats = [Chat(ChatRef("telegram", str(n))) for n in range(1, recipients + 1)]
    for chat in chats:
        await store.upsert_chat(chat)
    item = OutboxItem(
        KEY, "start", "24h-series-2022/hockenheim/race-part-1",
        SystemClock().now(), {"title": "Race part 1 is starting"},
    )  # fmt: skip
    await store.enqueue(item, [c.ref for c in chats])


async def run(db: Path, log_path: Path, recipients: int, rate: float) -> int:
    store = SQLiteStore(db)
    await store.open()
    try:
        await prepare(store, recipients)
        log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            fake = FakeSender(
                "telegram",
                rate_per_second=rate,
                burst=rate / 10 + 1,
                on_delivered=platform_log(log),
                # The platform has the message; its answer is still on the way when we die.
                ack_latency=0.02,
            )
            limits = RateLimits(global_per_second=rate)
            engine = DeliveryEngine(
                store, {"telegram": fake}, compose, {"telegram": limits}, SystemClock()
            )
            print("ready", flush=True)
            await engine.start()
            try:
                while True:
                    counts = await store.delivery_counts(KEY)
                    if counts[DeliveryStatus.PENDING] + counts[DeliveryStatus.SENDING] == 0:
                        break
                    await asyncio.sleep(0.05)
            finally:
                await engine.stop()
        finally:
            os.close(log)
        print(f"done: sent={counts[DeliveryStatus.SENT]} 429s={fake.retry_afters}", flush=True)
        return 0
    finally:
        await store.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("log", type=Path)
    parser.add_argument("--recipients", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=400.0)
    args = parser.parse_args()
    return asyncio.run(run(args.db, args.log, args.recipients, args.rate))


if __name__ == "__main__":
    sys.exit(main())
