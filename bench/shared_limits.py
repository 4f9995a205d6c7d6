"""Benchmark: the platform's limit shared by processes through PostgreSQL, beside the local one.

    PYTHONPATH=. .venv/bin/python bench/shared_limits.py --database postgresql://... \
        [--rate 30] [--sends 150] [--workers 8]

Each phase sends `--sends` sends' worth of tokens through one `PlatformLimiter` at `--rate`
a second, with `--workers` tasks asking at once (as the delivery engine's workers do), to
distinct chats (so only the global limit applies), and nothing actually sent:
- `local`: the limiter alone (SQLite, one process): the baseline, measured in the same run;
- `shared`: the same with the shared pacer on PostgreSQL (bot.delivery.shared_pace);
- `shared_x2`: two limiters, each on its own store handle (two processes), together.
Figures: sends a second achieved, store round trips per send (slot reservations), CPU
milliseconds per send (process time: this process's share; the server's is not counted).
Prints a table, then one JSON line with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid

from bot.core.audience import Chat, ChatRef
from bot.delivery.ratelimit import PlatformLimiter, RateLimits
from bot.delivery.shared_pace import shared_pacer
from bot.store.postgres import PostgresStore


async def _drive(limiters: list[PlatformLimiter], sends: int, workers: int) -> float:
    """Take `sends` tokens over all limiters; the seconds it took."""
    numbers = iter(range(sends))

    async def work(limiter: PlatformLimiter) -> None:
        for n in numbers:
            await limiter.acquire(Chat(ChatRef("telegram", str(n))))

    started = time.perf_counter()
    await asyncio.gather(*(work(limiter) for limiter in limiters for _ in range(workers)))
    return time.perf_counter() - started


async def _phase(
    name: str, url: str | None, copies: int, rate: float, sends: int, workers: int
) -> dict[str, float]:
    limits = RateLimits(global_per_second=rate)
    stores: list[PostgresStore] = []
    limiters = []
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    for n in range(copies):
        limiter = PlatformLimiter(limits)
        if url is not None:
            store = PostgresStore(url, schema=schema, process_name=f"bench-{n}")
            await store.open()
            stores.append(store)
            limiter.share(shared_pacer(store, "telegram", limiter))
        limiters.append(limiter)
    cpu = time.process_time()
    seconds = await _drive(limiters, sends, workers)
    cpu = time.process_time() - cpu
    trips = sum(lim.shared.stats.reservations for lim in limiters if lim.shared)
    for store in stores:
        await store.close()
    return {
        f"{name}_per_s": round(sends / seconds, 1),
        f"{name}_round_trips_per_send": round(trips / sends, 3),
        f"{name}_cpu_ms_per_send": round(cpu * 1000 / sends, 3),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="postgresql://... (no password)")
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--sends", type=int, default=150)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    figures = {"shared_rate_limit": args.rate}
    figures |= await _phase("local", None, 1, args.rate, args.sends, args.workers)
    figures |= await _phase("shared", args.database, 1, args.rate, args.sends, args.workers)
    figures |= await _phase("shared_x2", args.database, 2, args.rate, args.sends, args.workers)
    print(f"{'phase':<10} {'sends/s':>8} {'trips/send':>11} {'CPU ms/send':>12}")
    for name in ("local", "shared", "shared_x2"):
        print(
            f"{name:<10} {figures[f'{name}_per_s']:>8} "
            f"{figures[f'{name}_round_trips_per_send']:>11} "
            f"{figures[f'{name}_cpu_ms_per_send']:>12}"
        )
    print(json.dumps(figures))


if __name__ == "__main__":
    asyncio.run(main())
