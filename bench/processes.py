"""Benchmark: one fan-out sent by 1, 2 and 3 bot processes on PostgreSQL, beside 1 on SQLite.

    PYTHONPATH=. .venv/bin/python -m bench.processes --database postgresql://... \
        [--chats 20000] [--workers 8] [--reply-every 0.02] [--latency-ms 0]

Each configuration gets a fresh database (a SQLite file, or a schema of its own on the server)
holding --chats chats, and N worker processes (real OS processes: this module with --worker),
each running the real `DeliveryEngine` on its own store handle with a sender that accepts every
message after --latency-ms (no platform limit: the platform's own limit, 30/s per Telegram
token, caps every configuration alike and is not what is measured here). When every worker
is ready, the first one enqueues one announcement for every chat and, as the planning leader
does, signals ENQUEUED (bot.store.coordination): the others hear it over LISTEN/NOTIFY and wake
at once. Each worker answers a command (`engine.reply`) every --reply-every seconds meanwhile.

Figures per configuration: the fan-out rate (deliveries sent and recorded per second, from the
enqueue until the outbox is empty), the command replies' p50/p99 in ms, and the sends counted
by the senders against the chats (every chat exactly once: `duplicates` and `lost` must be 0).
Prints a table, then one JSON line with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench._stats import percentile
from bot.core.audience import Chat, ChatRef, Subscription
from bot.core.clock import SystemClock
from bot.core.reply import Reply, paragraph
from bot.delivery import DeliveryEngine, RateLimits
from bot.store import OutboxItem, SQLiteStore, Store
from bot.store.coordination import ENQUEUED, Coordinator, LocalCoordinator
from bot.store.postgres import PostgresStore

ROOT = Path(__file__).resolve().parents[1]
KEY = "tcr-germany-2022/oschersleben/race-1|start|processes"
UNLIMITED = 1e9
FAN = Chat(ChatRef("telegram", "fan"))
CONFIGURATIONS = (("sqlite", 1), ("postgresql", 1), ("postgresql", 2), ("postgresql", 3))


class CountingSender:
    """A platform accepting every message after `latency` seconds; counts chats it saw."""

    platform = "telegram"

    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.chats: list[str] = []
        self.last_at = 0.0

    async def send(self, chat: Chat, reply: Reply) -> str | None:
        if self.latency:
            await asyncio.sleep(self.latency)
        if chat.ref != FAN.ref:
            self.chats.append(chat.ref.id)
            self.last_at = time.time()
        return str(len(self.chats))


def compose(item: OutboxItem, chat: Chat) -> Reply:
    return Reply(title="Race 1: lights out", blocks=(paragraph("Race 1 is starting now"),))


def open_store(database: str, schema: str) -> Store:
    if database.startswith("postgres"):
        return PostgresStore(database, schema=schema)
    return SQLiteStore(Path(database))


def coordinator_of(store: Store) -> Coordinator:
    return store.coordinator() if isinstance(store, PostgresStore) else LocalCoordinator()


# --- a worker process ------------------------------------------------------------------------


async def worker(args: argparse.Namespace) -> dict[str, Any]:
    store = open_store(args.database, args.schema)
    await store.open()
    sender = CountingSender(args.latency_ms / 1000)
    clock = SystemClock()
    engine = DeliveryEngine(
        store,
        {"telegram": sender},
        compose,
        {"telegram": RateLimits(global_per_second=UNLIMITED, per_chat_per_second=UNLIMITED)},
        clock,
        workers_per_platform=args.workers,
    )
    coordinator = coordinator_of(store)
    await coordinator.open()
    coordinator.listen(lambda signal: engine.wake() if signal == ENQUEUED else None)
    await engine.start()
    print("ready", flush=True)
    await asyncio.to_thread(sys.stdin.readline)  # "go"
    started = time.time()
    if args.index == 0:
        refs = [ChatRef("telegram", f"c{n}") for n in range(args.chats)]
        item = OutboxItem(KEY, "start", "race-1", clock.now(), {})
        await store.enqueue(item, refs)
        engine.wake()
        await coordinator.signal(ENQUEUED)
    latencies: list[float] = []
    while True:
        asked = time.perf_counter()
        await engine.reply(FAN, Reply(title="Next: Race 1, Sat 13:55 CEST"))
        latencies.append((time.perf_counter() - asked) * 1000)
        await asyncio.sleep(args.reply_every)
        if await all_sent(store):
            break
    await engine.stop()
    await coordinator.close()
    await store.close()
    return {
        "sent": sender.chats,
        "started": started,
        "last_at": sender.last_at,
        "latencies": latencies,
    }


async def all_sent(store: Store) -> bool:
    """The announcement is wholly enqueued and nothing of it is pending or in flight."""
    return (
        await store.has_announcement(KEY)
        and not await store.unfinished_announcements()
        and await store.earliest_unsent_at(["telegram"]) is None
    )


# --- the run ---------------------------------------------------------------------------------


async def seed(database: str, schema: str, chats: int) -> None:
    store = open_store(database, schema)
    async with store:
        if isinstance(store, SQLiteStore):
            await store.migrate()
        await store.upsert_chat(FAN)
        # Each chat made with its subscription, in the store's batches.
        await store.set_subscriptions(
            [
                Subscription(ChatRef("telegram", f"c{n}"), series=frozenset({"tcr"}))
                for n in range(chats)
            ]
        )


def spawn(
    args: argparse.Namespace, database: str, schema: str, index: int
) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "bench.processes", "--worker", "--index", str(index)]
    command += ["--database", database, "--schema", schema, "--chats", str(args.chats)]
    command += ["--workers", str(args.workers), "--reply-every", str(args.reply_every)]
    command += ["--latency-ms", str(args.latency_ms)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env
    )


async def configuration(
    args: argparse.Namespace, engine: str, processes: int, folder: Path
) -> dict[str, Any]:
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    database = args.database if engine == "postgresql" else str(folder / f"{schema}.sqlite3")
    await seed(database, schema, args.chats)
    workers = [spawn(args, database, schema, index) for index in range(processes)]
    try:
        for process in workers:
            assert process.stdout is not None
            line = await asyncio.to_thread(process.stdout.readline)
            if line.strip() != "ready":
                raise RuntimeError(f"a worker did not start: {line!r}")
        for process in workers:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        outputs = [await asyncio.to_thread(process.communicate, None, 600) for process in workers]
    finally:
        for process in workers:
            if process.poll() is None:
                process.kill()
    results = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    if engine == "postgresql":
        await drop_schema(args.database, schema)
    sent = [chat for result in results for chat in result["sent"]]
    started = min(result["started"] for result in results)
    finished = max(result["last_at"] for result in results)
    latencies = [ms for result in results for ms in result["latencies"]]
    elapsed = finished - started
    name = f"{engine}_{processes}"
    return {
        f"{name}_fanout_per_s": round(len(sent) / elapsed, 1) if elapsed > 0 else None,
        f"{name}_command_p50_ms": round(percentile(latencies, 50), 2),
        f"{name}_command_p99_ms": round(percentile(latencies, 99), 2),
        f"{name}_commands": len(latencies),
        f"{name}_sent": len(sent),
        f"{name}_lost": args.chats - len(set(sent)),
        f"{name}_duplicates": len(sent) - len(set(sent)),
        f"{name}_per_process": [len(result["sent"]) for result in results],
    }


async def drop_schema(url: str, schema: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    finally:
        await conn.close()


async def run_all(args: argparse.Namespace) -> dict[str, Any]:
    figures: dict[str, Any] = {"chats": args.chats, "workers": args.workers}
    with tempfile.TemporaryDirectory() as tmp:
        for engine, processes in CONFIGURATIONS:
            if engine == "postgresql" and not args.database:
                continue
            figures |= await configuration(args, engine, processes, Path(tmp))
    return figures


def table(figures: dict[str, Any]) -> str:
    lines = [
        f"One fan-out to {figures['chats']} chats, {figures['workers']} send workers a process",
        "",
        f"  {'':<16} {'fan-out/s':>10} {'cmd p50 ms':>11} {'cmd p99 ms':>11} "
        f"{'lost':>5} {'dupl.':>6}  per process",
    ]
    for engine, processes in CONFIGURATIONS:
        name = f"{engine}_{processes}"
        if f"{name}_sent" not in figures:
            continue
        lines.append(
            f"  {f'{engine} x{processes}':<16} {figures[f'{name}_fanout_per_s']!s:>10} "
            f"{figures[f'{name}_command_p50_ms']!s:>11} {figures[f'{name}_command_p99_ms']!s:>11} "
            f"{figures[f'{name}_lost']!s:>5} {figures[f'{name}_duplicates']!s:>6}  "
            f"{figures[f'{name}_per_process']}"
        )
    return "\n".join(lines)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="", help="postgresql://... (without: SQLite only)")
    parser.add_argument("--chats", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--reply-every", type=float, default=0.02)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--index", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--schema", default="", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    if args.worker:
        print(json.dumps(asyncio.run(worker(args))), flush=True)
        return
    figures = asyncio.run(run_all(args))
    print(table(figures))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
