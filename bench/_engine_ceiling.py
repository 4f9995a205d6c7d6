"""bench/fanout.py's engine-ceiling phase: the delivery engine's own cost per message.

The platform is a sender that accepts everything at once (no network, no limit), so what is
measured is the engine and its SQLite outbox alone: claiming, composing, the limiter's
bookkeeping and recording each outcome. Figures:

- `engine_ceiling_per_s`: deliveries sent *and recorded* per second, from `start()` until
  `stop()` has returned (so a record still held in memory counts only once it is committed);
- per message: round trips to the database thread (every call aiosqlite hands to its thread),
  SQL statements SQLite ran, commits, and CPU time of the whole process (the database thread
  included);
- the baseline in the same run: the same posts composed and handed to the same sender in a
  plain loop, with no store at all (`ceiling_noop_loop_per_s`).
"""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

from bot.core.audience import Chat, ChatRef
from bot.core.clock import SystemClock
from bot.core.reply import Reply, paragraph
from bot.delivery import DeliveryEngine, RateLimits
from bot.store import DeliveryStatus, OutboxItem, SQLiteStore

CEILING_KEY = "tcr-germany-2022/oschersleben/race-1|start|ceiling"
# Far above any platform's global limit: the limiter's bookkeeping runs, its waiting never
# does (each chat gets one post, so Telegram's own per-chat limit never binds either).
UNLIMITED = 1e9


class NoopSender:
    """A platform that accepts every message at once; says when it has seen `expected`."""

    platform = "telegram"

    def __init__(self, expected: int) -> None:
        self.sent = 0
        self.expected = expected
        self.all_sent = asyncio.Event()

    async def send(self, chat: Chat, reply: Reply) -> str | None:
        self.sent += 1
        if self.sent >= self.expected:
            self.all_sent.set()
        return str(self.sent)


def compose(item: OutboxItem, chat: Chat) -> Reply:
    return Reply(title=str(item.payload["title"]), blocks=(paragraph("Race 1 is starting now"),))


class RoundTrips:
    """Counts what a store asks of its aiosqlite connection: calls handed to the database
    thread, statements SQLite ran (its trace callback) and commits among them."""

    def __init__(self) -> None:
        self.calls = 0
        self.statements = 0
        self.commits = 0

    async def attach(self, store: SQLiteStore) -> None:
        conn = store._connection()
        handed: Callable[..., Any] = conn._execute

        async def counted(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return await handed(fn, *args, **kwargs)

        await conn.set_trace_callback(self._statement)
        conn._execute = counted  # type: ignore[method-assign]

    def _statement(self, sql: str) -> None:
        self.statements += 1
        if sql.lstrip().upper().startswith(("COMMIT", "END")):
            self.commits += 1


def seed_chats(path: Path, count: int) -> list[Chat]:
    """Chats straight into the file (the store writes one per transaction; seeding is not
    what this phase measures)."""
    chats = [Chat(ChatRef("telegram", f"c{n}")) for n in range(count)]
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.executemany(
            "INSERT INTO chats (platform, chat_id, kind, zone, language, reminder_minutes,"
            " spoiler_safe, active) VALUES (?, ?, 'private', 'Europe/Stockholm', 'en',"
            " '[60,15]', 0, 1)",
            [(chat.ref.platform, chat.ref.id) for chat in chats],
        )
    return chats


async def noop_loop(chats: list[Chat], item: OutboxItem) -> float:
    """The baseline: compose and hand each post to the no-op sender, nothing recorded."""
    sender = NoopSender(len(chats))
    started = time.perf_counter()
    for chat in chats:
        await sender.send(chat, compose(item, chat))
    elapsed = time.perf_counter() - started
    return len(chats) / elapsed if elapsed > 0 else float("inf")


async def engine_ceiling(chats_count: int, workers: int) -> dict[str, Any]:
    clock = SystemClock()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ceiling.db"
        async with SQLiteStore(path):
            pass  # the schema, by the store's own migrations
        chats = seed_chats(path, chats_count)
        async with SQLiteStore(path) as store:
            item = OutboxItem(CEILING_KEY, "start", "tcr-germany-2022/oschersleben/race-1",
                              clock.now(), {"title": "Race 1: lights out"})  # fmt: skip
            await store.enqueue(item, [chat.ref for chat in chats])
            sender = NoopSender(len(chats))
            engine = DeliveryEngine(
                store, {"telegram": sender}, compose,
                {"telegram": RateLimits(global_per_second=UNLIMITED)},
                clock, workers_per_platform=workers,
            )  # fmt: skip
            trips = RoundTrips()
            await trips.attach(store)
            cpu, started = time.process_time(), time.perf_counter()
            await engine.start()
            await asyncio.wait_for(sender.all_sent.wait(), timeout=600)
            await engine.stop()
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu
            counts = await store.delivery_counts(CEILING_KEY)
        baseline = await noop_loop(chats, item)
    n = len(chats)
    return {
        "engine_ceiling_per_s": round(n / elapsed, 1),
        "engine_ceiling_recorded": counts[DeliveryStatus.SENT],
        "engine_ceiling_round_trips_per_msg": round(trips.calls / n, 3),
        "engine_ceiling_statements_per_msg": round(trips.statements / n, 3),
        "engine_ceiling_commits_per_msg": round(trips.commits / n, 4),
        "engine_ceiling_cpu_ms_per_msg": round(cpu / n * 1000, 3),
        "ceiling_noop_loop_per_s": round(baseline, 1),
        "ceiling_chats": n,
    }


def ceiling_table(f: dict[str, Any]) -> list[str]:
    return [
        f"Engine ceiling: {f['ceiling_chats']} deliveries, a no-op sender, the SQLite outbox",
        "",
        f"  {'':<28} {'engine':>12} {'no-op loop':>12}",
        f"  {'sends / s':<28} {f['engine_ceiling_per_s']!s:>12} "
        f"{f['ceiling_noop_loop_per_s']!s:>12}",
        f"  {'recorded sent':<28} {f['engine_ceiling_recorded']!s:>12}",
        f"  {'DB round trips / message':<28} {f['engine_ceiling_round_trips_per_msg']!s:>12}",
        f"  {'SQL statements / message':<28} {f['engine_ceiling_statements_per_msg']!s:>12}",
        f"  {'commits / message':<28} {f['engine_ceiling_commits_per_msg']!s:>12}",
        f"  {'CPU ms / message':<28} {f['engine_ceiling_cpu_ms_per_msg']!s:>12}",
    ]
