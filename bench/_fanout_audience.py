"""bench/fanout.py's audience phases: storing 100,000 subscriptions, the memory they take once
loaded, and one announcement enqueued for all of them while fans keep asking commands.

Each figure keeps its baseline from the same run:
- `store_100k_s` against `store_100k_raw_s`, a bare sqlite3 `executemany` of the same rows into
  a database of the same schema (no validation, no event loop);
- `rss_100k_mib` against `rss_before_subscriptions_mib`, the process before any subscription;
- the command latency during the announcement against the same command asked while idle.

The store and the enqueue are also given in CPU seconds (`*_cpu_s`, the whole process, so
aiosqlite's thread is counted), with a CPU ratio to the raw baseline's: on a shared machine
the wall-clock figures mostly measure how much of a core the process got (one run under load
took 4-12 s of wall for 1 s of CPU), and the baseline runs at another moment, so their wall
ratio swings with the load while the CPU ratio does not.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench._stats import ms, percentile
from bot.core.audience import ChatRef, Subscription
from bot.core.catalog import Catalog, CatalogHolder
from bot.core.clock import SystemClock
from bot.core.plan import PlanSettings
from bot.scheduling import Announcer
from bot.store import SQLiteStore

SERIES = ("tcr-germany-2022", "24h-series-2022")
COMMAND_EVERY = 0.02  # seconds between two fans' commands, as in the engine phase


def subscription(n: int) -> Subscription:
    return Subscription(ChatRef("telegram", str(n)), series=frozenset({SERIES[n % 3 == 0]}))


async def store_phase(store: SQLiteStore, count: int, scratch: Path) -> dict[str, Any]:
    subs = [subscription(n) for n in range(1, count + 1)]
    started, cpu_started = time.perf_counter(), time.process_time()
    await store.set_subscriptions(subs)
    stored, stored_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    # The checkpoint deferred while the batches were written runs after them, beside
    # whatever comes next; its own figure, and done before the baseline runs.
    await store.checkpoint_settled()
    checkpoint = time.perf_counter() - started - stored
    raw, raw_cpu = await raw_insert(subs, scratch)
    return {
        "store_100k_s": round(stored, 2),
        "store_100k_checkpoint_after_s": round(checkpoint, 2),
        "store_100k_raw_s": round(raw, 2),
        "store_100k_ratio": ratio(stored, raw),
        "store_100k_cpu_s": round(stored_cpu, 2),
        "store_100k_raw_cpu_s": round(raw_cpu, 2),
        "store_100k_cpu_ratio": ratio(stored_cpu, raw_cpu),
    }


def ratio(measured: float, baseline: float) -> float | None:
    return round(measured / baseline, 2) if baseline > 0 else None


async def raw_insert(subs: list[Subscription], scratch: Path) -> tuple[float, float]:
    """The same rows by plain sqlite3 executemany in one transaction: the floor to compare to.
    Wall and CPU seconds."""
    async with SQLiteStore(scratch):
        pass  # creates the schema
    chats = [(s.chat.platform, s.chat.id, "private", "Europe/Stockholm", "en", "[60,15]", 0, 1)
             for s in subs]  # fmt: skip
    rows = [(s.chat.platform, s.chat.id, json.dumps(sorted(s.series)), "[]", "[]") for s in subs]
    conn = sqlite3.connect(scratch, isolation_level=None)
    try:
        started, cpu_started = time.perf_counter(), time.process_time()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO chats (platform, chat_id, kind, zone, language, reminder_minutes,"
            " spoiler_safe, active) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            chats,
        )
        conn.executemany(
            "INSERT INTO subscriptions (platform, chat_id, series, drivers, session_kinds)"
            " VALUES (?, ?, ?, ?, ?)",
            rows,
        )
        conn.execute("COMMIT")
        return time.perf_counter() - started, time.process_time() - cpu_started
    finally:
        conn.close()


async def command(store: SQLiteStore, n: int) -> None:
    """What a fan's command asks of the store before it answers: the chat and its
    subscription (/settings, /next for "my" series)."""
    ref = ChatRef("telegram", str(n))
    await store.get_chat(ref)
    await store.get_subscription(ref)


async def ask_commands(
    store: SQLiteStore, done: Callable[[], bool], latencies: list[float]
) -> None:
    n = 0
    while not done():
        asked = time.perf_counter()
        await command(store, 1 + n % 100)
        latencies.append(time.perf_counter() - asked)
        n += 1
        await asyncio.sleep(COMMAND_EVERY)


async def announce_phase(store: SQLiteStore, path: Path, subscribers: int) -> dict[str, Any]:
    """One announcement to every subscriber, through the announcer (audience, then enqueue),
    with a fan's command every 20 ms meanwhile and during the checkpoint that follows it; the
    same commands idle first as the baseline. `path`: the store's database file, for the raw
    insert baseline."""
    idle: list[float] = []
    idle_until = time.perf_counter() + 1.0
    await ask_commands(store, lambda: time.perf_counter() > idle_until, idle)
    announcer = Announcer(CatalogHolder(Catalog.empty()), store, SystemClock(), PlanSettings())
    await announcer.broadcast("warm-up: the audience is read once before the measured post")
    await store.checkpoint_settled()  # the warm-up's own checkpoint, not the measured post's
    during: list[float] = []
    enqueued = asyncio.Event()
    asking = asyncio.create_task(ask_commands(store, enqueued.is_set, during))
    await asyncio.sleep(COMMAND_EVERY * 2)  # the fans are asking before the post starts
    started, cpu_started = time.perf_counter(), time.process_time()
    recipients = await announcer.broadcast("Race 1: lights out")
    # CPU of the whole process: the fans' commands meanwhile are in it too (a few ms).
    elapsed, elapsed_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    # The checkpoint that follows the enqueue runs beside the commands: they are measured
    # until it is done, and the baseline waits for it (it would slow the baseline instead).
    await store.checkpoint_settled()
    checkpoint = time.perf_counter() - started - elapsed
    enqueued.set()
    await asking
    assert recipients == subscribers, (recipients, subscribers)
    raw, raw_cpu = raw_deliveries(path, subscribers)
    return {
        "announce_100k_enqueue_s": round(elapsed, 2),
        "announce_100k_raw_insert_s": round(raw, 2),
        "announce_100k_ratio": ratio(elapsed, raw),
        "announce_100k_enqueue_cpu_s": round(elapsed_cpu, 2),
        "announce_100k_raw_insert_cpu_s": round(raw_cpu, 2),
        "announce_100k_cpu_ratio": ratio(elapsed_cpu, raw_cpu),
        "announce_100k_checkpoint_after_s": round(checkpoint, 2),
        "announce_100k_commands": len(during),
        "announce_100k_command_p50_ms": ms(percentile(during, 50)),
        "announce_100k_command_p99_ms": ms(percentile(during, 99)),
        "announce_100k_command_max_ms": ms(max(during)),
        "idle_command_p99_ms": ms(percentile(idle, 99)),
    }


def raw_deliveries(path: Path, count: int) -> tuple[float, float]:
    """The floor for an enqueue: the same number of delivery rows inserted into the same
    table by a bare sqlite3 executemany in one transaction (no check, no chunks, nothing
    else waiting), on a connection of its own. Wall and CPU seconds."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        chats = [row[0] for row in conn.execute("SELECT chat_id FROM subscriptions LIMIT ?",
                                                (count,))]  # fmt: skip
        started, cpu_started = time.perf_counter(), time.process_time()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO outbox (key, kind, subject, due_at, payload)"
                     " VALUES ('raw', 'free', 'free', 0, '{}')")  # fmt: skip
        conn.executemany(
            "INSERT INTO deliveries (key, platform, chat_id, status, priority, next_attempt_at)"
            " VALUES ('raw', 'telegram', ?, 'skipped', 0, 0)",
            ((chat,) for chat in chats),
        )
        conn.execute("COMMIT")
        return time.perf_counter() - started, time.process_time() - cpu_started
    finally:
        conn.close()


def announce_lines(f: dict[str, Any]) -> list[str]:
    return [
        f"  announce to {f['subscriptions']} subscribers: enqueued in "
        f"{f['announce_100k_enqueue_s']} s (raw sqlite3 insert of as many delivery rows: "
        f"{f['announce_100k_raw_insert_s']} s, ratio {f['announce_100k_ratio']}; in CPU "
        f"{f['announce_100k_enqueue_cpu_s']} s vs {f['announce_100k_raw_insert_cpu_s']} s, "
        f"ratio {f['announce_100k_cpu_ratio']}; "
        f"then a checkpoint of {f['announce_100k_checkpoint_after_s']} s beside the commands); "
        f"{f['announce_100k_commands']} commands meanwhile "
        f"(p50 {f['announce_100k_command_p50_ms']} ms, p99 {f['announce_100k_command_p99_ms']} "
        f"ms, max {f['announce_100k_command_max_ms']} ms; idle p99 "
        f"{f['idle_command_p99_ms']} ms)",
        f"  storing {f['subscriptions']} subscriptions: {f['store_100k_s']} s "
        f"(raw sqlite3 executemany of the same rows: {f['store_100k_raw_s']} s, "
        f"ratio {f['store_100k_ratio']}; in CPU {f['store_100k_cpu_s']} s vs "
        f"{f['store_100k_raw_cpu_s']} s, ratio {f['store_100k_cpu_ratio']}; then a checkpoint of "
        f"{f['store_100k_checkpoint_after_s']} s)",
        f"  resident memory with them loaded: {f['rss_100k_mib']} MiB "
        f"(before any subscription: {f['rss_before_subscriptions_mib']} MiB, "
        f"{f['rss_100k_bytes_each']} B each)",
    ]
