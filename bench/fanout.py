"""Benchmark: one announcement fanned out to 10,000 chats, command replies in between.

    PYTHONPATH=. .venv/bin/python bench/fanout.py [--rate 1000] [--chats 10000]
        [--subscriptions 100000] [--reply-every SECONDS] [--workers 8]
        [--ceiling-chats 10000] [--ceiling-only]

It begins with the engine's own ceiling (`engine_ceiling_per_s`, bench/_engine_ceiling.py): a
no-op sender, no limit, the SQLite outbox; DB round trips, commits and CPU per message; beside
it a plain loop handing the same posts to the same sender. `--ceiling-only` runs just that.

The platform is `tests.delivery.fake_sender.FakeSender` enforcing a global limit of --rate
messages a second (and one a second per chat), answering 429 (RetryAfter) beyond it. Telegram's
real limit is 30/s; the default 1000/s scales the run down to about 10 s, and `--rate 30
--chats 300` runs it at Telegram's own pace. Command replies come every 20 ms at 1000/s, at
the same share of the limit (5 %) at other rates.

Measured, against a real SQLite store in a temporary directory:
- the engine: achieved send rate / limit, 429s provoked, command-reply latency (p50/p99 of
  `engine.reply` issued every --reply-every seconds during the fan-out), every chat exactly once;
- the baseline in the same run: `for chat in chats: await sender.send(...)` with no limiter;
- resident memory with --subscriptions subscriptions stored and loaded by `store.audience()`;
- the audience phases (bench/_fanout_audience.py): storing the subscriptions, the memory they
  take, and one announcement enqueued for all of them while fans ask commands.

Prints a table, then one line holding every figure as a JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._engine_ceiling import ceiling_table, engine_ceiling
from bench._fanout_audience import announce_lines, announce_phase, store_phase
from bench._stats import percentile
from bot.core.audience import Chat, ChatRef
from bot.core.clock import SystemClock
from bot.core.reply import Reply, paragraph
from bot.delivery import DeliveryEngine, RateLimits, SendError
from bot.store import DeliveryStatus, OutboxItem, SQLiteStore
from tests.delivery.fake_sender import Delivered, FakeSender

KEY = "tcr-germany-2022/oschersleben/race-1|start"
FANS = 100  # distinct chats asking commands, so no fan exceeds one reply a second


def memory_mib(field: str = "VmRSS") -> float:
    """Resident memory now (VmRSS) or at its peak (VmHWM); getrusage's peak without /proc."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def compose(item: OutboxItem, chat: Chat) -> Reply:
    return Reply(title=str(item.payload["title"]), blocks=(paragraph("Race 1 is starting now"),))


def platform(rate: float) -> FakeSender:
    return FakeSender(
        "telegram", rate_per_second=rate, burst=rate / 10 + 1, per_chat_per_second=1.0,
        chat_burst=2.0,
    )  # fmt: skip


async def engine_run(
    store: SQLiteStore, chats: list[Chat], args: argparse.Namespace
) -> dict[str, Any]:
    clock = SystemClock()
    fake = platform(args.rate)
    # Arrivals are counted at the platform: polling the store for its counts would hold the
    # store (68 ms a query at 100,000 deliveries) and measure the poll instead of the engine.
    arrived: set[str] = set()
    all_arrived = asyncio.Event()

    def count_arrival(delivered: Delivered) -> None:
        if not delivered.chat_id.startswith("fan-"):
            arrived.add(delivered.chat_id)
            if len(arrived) == len(chats):
                all_arrived.set()

    fake.on_delivered = count_arrival
    engine = DeliveryEngine(
        store, {"telegram": fake}, compose,
        {"telegram": RateLimits(global_per_second=args.rate)}, clock,
        workers_per_platform=args.workers,
    )  # fmt: skip
    item = OutboxItem(KEY, "start", "tcr-germany-2022/oschersleben/race-1", clock.now(),
                      {"title": "Race 1: lights out"})  # fmt: skip
    await store.enqueue(item, [c.ref for c in chats])
    latencies: list[float] = []
    reply_failures = 0

    async def fan_questions(done: asyncio.Event) -> None:
        nonlocal reply_failures
        n = 0
        while not done.is_set():
            fan = Chat(ChatRef("telegram", f"fan-{n % FANS}"))
            asked = time.perf_counter()
            try:
                await engine.reply(fan, Reply(title="Next: Race 1, Sat 13:55 CEST"))
                latencies.append(time.perf_counter() - asked)
            except SendError:
                reply_failures += 1
            n += 1
            await asyncio.sleep(args.reply_every)

    started = time.perf_counter()
    await engine.start()
    done = asyncio.Event()
    asking = asyncio.create_task(fan_questions(done))
    await all_arrived.wait()
    done.set()
    await asking
    await engine.stop()
    counts = await store.delivery_counts(KEY)
    elapsed = time.perf_counter() - started

    bulk = [d for d in fake.delivered if not d.chat_id.startswith("fan-")]
    copies = Counter(d.chat_id for d in bulk)
    # The platform's limit covers every message, so the replies count towards the rate too.
    first, last = bulk[0].at, bulk[-1].at
    sends = sum(1 for d in fake.delivered if first <= d.at <= last)
    span = last - first
    achieved = (sends - 1) / span if span > 0 else 0.0
    bulk_rate = (len(bulk) - 1) / span if span > 0 else 0.0
    return {
        "engine_seconds": round(elapsed, 2),
        "engine_sent": counts[DeliveryStatus.SENT],
        "engine_missing": len(chats) - len(copies),
        "engine_duplicates": sum(copies.values()) - len(copies),
        "engine_rate": round(achieved, 1),
        "engine_rate_ratio": round(achieved / args.rate, 3),
        "engine_bulk_rate": round(bulk_rate, 1),
        "engine_429s": fake.retry_afters,
        "replies": len(latencies),
        "reply_failures": reply_failures,
        "reply_p50_ms": round(percentile(latencies, 50) * 1000, 2) if latencies else None,
        "reply_p99_ms": round(percentile(latencies, 99) * 1000, 2) if latencies else None,
        "reply_max_ms": round(max(latencies) * 1000, 2) if latencies else None,
        "engine_parked": engine.stats("telegram").parked,
    }


async def naive_run(chats: list[Chat], args: argparse.Namespace) -> dict[str, Any]:
    """The loop everyone writes first: no limiter, no retry."""
    fake = platform(args.rate)
    post = Reply(title="Race 1: lights out", blocks=(paragraph("Race 1 is starting now"),))
    refused = 0
    started = time.perf_counter()
    for chat in chats:
        try:
            await fake.send(chat, post)
        except SendError:
            refused += 1
    elapsed = time.perf_counter() - started
    attempted = len(chats) / elapsed if elapsed > 0 else float("inf")
    return {
        "naive_seconds": round(elapsed, 3),
        "naive_rate": round(attempted, 1),
        "naive_rate_ratio": round(attempted / args.rate, 1),
        "naive_429s": fake.retry_afters,
        "naive_delivered": len(fake.delivered),
        "naive_lost": refused,
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "rate_limit": args.rate, "chats": args.chats, "subscriptions": args.subscriptions,
        "workers": args.workers,
    }  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "bench.db"
        async with SQLiteStore(database) as store:
            figures["rss_start_mib"] = figures["rss_before_subscriptions_mib"] = round(
                memory_mib(), 1
            )
            figures.update(await store_phase(store, args.subscriptions, Path(tmp) / "raw.db"))
            audience = await store.audience()
            assert len(audience) == args.subscriptions
            figures["rss_audience_mib"] = figures["rss_100k_mib"] = round(memory_mib(), 1)
            grown = figures["rss_100k_mib"] - figures["rss_before_subscriptions_mib"]
            figures["rss_100k_bytes_each"] = round(grown * 2**20 / args.subscriptions)
            chats = [chat for chat, _ in audience[: args.chats]]
            del audience
            figures.update(await engine_run(store, chats, args))
            figures["rss_after_fanout_mib"] = round(memory_mib(), 1)
            figures.update(await announce_phase(store, database, args.subscriptions))
    figures.update(await naive_run(chats, args))
    # The kernel updates its high-water mark lazily; never report it below what we saw.
    seen = [figures["rss_audience_mib"], figures["rss_after_fanout_mib"], memory_mib("VmHWM")]
    figures["rss_peak_mib"] = round(max(seen), 1)
    return figures


def table(f: dict[str, Any]) -> str:
    chats = f["chats"]
    rows = [
        ("", "engine", "naive loop"),
        ("sends / s (all)", f["engine_rate"], f["naive_rate"]),
        ("rate / limit", f["engine_rate_ratio"], f["naive_rate_ratio"]),
        ("  of which broadcast", f["engine_bulk_rate"], f["naive_rate"]),
        ("429s provoked", f["engine_429s"], f["naive_429s"]),
        ("delivered", f"{f['engine_sent']} of {chats}", f"{f['naive_delivered']} of {chats}"),
        ("lost", f["engine_missing"], f["naive_lost"]),
        ("duplicated", f["engine_duplicates"], 0),
        ("wall time (s)", f["engine_seconds"], f["naive_seconds"]),
    ]
    lines = [f"Fan-out to {f['chats']} chats, platform limit {f['rate_limit']}/s", ""]
    lines += [f"  {a:<20} {b!s:>16} {c!s:>16}" for a, b, c in rows]
    lines += [
        "",
        f"  command replies during the fan-out: {f['replies']} "
        f"(p50 {f['reply_p50_ms']} ms, p99 {f['reply_p99_ms']} ms, max {f['reply_max_ms']} ms, "
        f"{f['reply_failures']} failed)",
        f"  resident memory: {f['rss_start_mib']} MiB at start, {f['rss_audience_mib']} MiB with "
        f"{f['subscriptions']} subscriptions loaded by store.audience(), "
        f"{f['rss_after_fanout_mib']} MiB after the fan-out, peak {f['rss_peak_mib']} MiB",
        *announce_lines(f),
    ]
    return "\n".join([*lines, "", *ceiling_table(f)])


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rate", type=float, default=1000.0, help="platform limit, msg/s")
    parser.add_argument("--chats", type=int, default=10_000)
    parser.add_argument("--subscriptions", type=int, default=100_000)
    parser.add_argument(
        "--reply-every",
        type=float,
        default=None,
        help="seconds between command replies (default: 20 ms at 1000/s, scaled with --rate)",
    )
    parser.add_argument("--workers", type=int, default=8, help="engine workers per platform")
    parser.add_argument(
        "--ceiling-chats", type=int, default=10_000, help="deliveries in the engine-ceiling phase"
    )
    parser.add_argument(
        "--ceiling-only", action="store_true", help="run only the engine-ceiling phase"
    )
    args = parser.parse_args(argv)
    if args.reply_every is None:
        # Replies are then 5 % of the platform's limit whatever the rate.
        args.reply_every = 0.02 * 1000.0 / args.rate
    if args.chats > args.subscriptions:
        parser.error("--chats cannot exceed --subscriptions (the fan-out goes to stored chats)")
    return args


async def run_all(args: argparse.Namespace) -> dict[str, Any]:
    """The engine's ceiling first, on its own database with nothing else in the process yet;
    then the fan-out phases (main)."""
    figures = await engine_ceiling(args.ceiling_chats, args.workers)
    if not args.ceiling_only:
        figures.update(await main(args))
    return figures


if __name__ == "__main__":
    arguments = parse()
    results = asyncio.run(run_all(arguments))
    print(table(results) if not arguments.ceiling_only else "\n".join(ceiling_table(results)))
    print(json.dumps(results, sort_keys=True))
