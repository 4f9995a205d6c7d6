"""Web benchmark: requests per second and latency of the bot's own HTTP server on loopback.

The real runtime (bundled schedules, a SQLite store, the terminal front-end writing nowhere)
serves its web routes on 127.0.0.1; a client in the same process keeps `--concurrency`
requests in flight for `--seconds` per path and times each. The baseline, measured the same
way in the same run, is a bare aiohttp handler answering fixed text: what the server and the
client cost by themselves, so the ratio says what our handlers add on any machine.

Paths measured are the `TARGETS` list: add a `Target` (a name and a path, or `prepare` to
make the path once the bot runs — a chat's feed, say) and it is measured and reported under
its name. Prints a table, then ONE final line holding a JSON object with every figure.
Run: `make bench`, or `python -m bench.web [--quick]` from the repository root.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bench._stats import ms, percentile
from bot.chats import Caller
from bot.config import Config, WebConfig
from bot.core.audience import ChatKind
from bot.core.catalog import CatalogHolder
from bot.core.clock import FixedClock
from bot.core.schedules import load_catalog
from bot.feeds.links import chat_path
from bot.feeds.tokens import chat_token
from bot.frontends.console.repl import ConsoleWriter
from bot.frontends.console.sender import CONSOLE_CHAT
from bot.runtime import Runtime
from bot.store.sqlite import SQLiteStore

SCHEDULES = Path(__file__).resolve().parent.parent / "schedules"
# The Thursday before the bundled Hockenheim weekend: the plan has jobs ahead.
NOW = datetime.fromisoformat("2022-05-12T09:00+02:00")
BASELINE = "baseline"


@dataclass(frozen=True)
class Target:
    name: str  # the figure's key in the table and the JSON line
    path: str = ""
    # Makes the path once the bot runs (a chat's feed URL, say); `path` is used when None.
    prepare: Callable[[Runtime], Awaitable[str]] | None = None


async def chat_feed_path(runtime: Runtime) -> str:
    """The terminal chat follows two series; its private feed's path, as /calendar gives it."""
    operator = Caller(CONSOLE_CHAT, ChatKind.PRIVATE, user_id="operator", is_admin=True)
    for series in ("24h-series-2022", "tcr-germany-2022"):
        await runtime.router.handle(f"/subscribe {series}", operator)
    token = await chat_token(runtime.store, CONSOLE_CHAT)
    return chat_path(token)


# What the benchmark measures, in order. The feed and page benchmarks add theirs here.
TARGETS: list[Target] = [
    Target("healthz", "/healthz"),
    Target("metrics", "/metrics"),
    # The public page: rendered once per catalog and cut, then served from memory with its ETag.
    Target("page", "/s/tcr-germany-2022"),
    # A series' feed: built once per catalog, then served from memory (polls mostly get 304s;
    # this measures the full 200 answer).
    Target("feed_series", "/calendar/24h-series-2022.ics"),
    # A chat's feed: built per request from its subscription.
    Target("feed_chat", prepare=chat_feed_path),
]


@dataclass
class Figures:
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    def table_row(self, name: str, baseline: Figures | None) -> str:
        ratio = (
            f"{baseline.rate / self.rate:6.1f}x" if baseline is not None and self.rate else "     -"
        )
        return (
            f"{name:<14} {self.rate:>10.0f} {ms(self.p50, 2):>8} {ms(self.p99, 2):>8}"
            f" {self.errors:>7} {ratio}"
        )

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def p50(self) -> float:
        return percentile(self.latencies, 50) if self.latencies else 0.0

    @property
    def p99(self) -> float:
        return percentile(self.latencies, 99) if self.latencies else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "errors": self.errors,
            "requests_per_s": round(self.rate, 1),
            "p50_ms": ms(self.p50, 3),
            "p99_ms": ms(self.p99, 3),
        }


async def hammer(url: str, seconds: float, concurrency: int) -> Figures:
    """Keep `concurrency` GETs of `url` in flight for `seconds`; time each answer."""
    latencies: list[float] = []
    errors = 0
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        await hammer_warm_up(session, url)
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal errors
            while True:  # at least one request each, however busy the machine
                started = time.perf_counter()
                async with session.get(url) as response:
                    await response.read()
                    if response.status != 200:
                        errors += 1
                latencies.append(time.perf_counter() - started)
                if time.perf_counter() >= deadline:
                    return

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    return Figures(len(latencies), errors, elapsed, latencies)


async def hammer_warm_up(session: aiohttp.ClientSession, url: str) -> None:
    for _ in range(20):  # connections opened, caches filled: not what is being measured
        async with session.get(url) as response:
            await response.read()


async def baseline_server() -> tuple[web.AppRunner, str]:
    """A bare aiohttp handler answering fixed text: the floor any route stands on."""

    async def fixed(request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    app = web.Application()
    app.router.add_get("/", fixed)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/"


async def busy_runtime(runtime: Runtime) -> None:
    """Commands answered and counted, so /metrics carries what a running bot's would."""
    operator = Caller(CONSOLE_CHAT, ChatKind.PRIVATE, user_id="operator", is_admin=True)
    for line in ("/next", "/standings tcr-germany-2022", "/watch", "/status", "/help", "/x"):
        for _ in range(5):
            await runtime.router.handle(line, operator)


async def measure(seconds: float, concurrency: int) -> dict[str, Figures]:
    figures: dict[str, Figures] = {}
    runner, url = await baseline_server()
    try:
        figures[BASELINE] = await hammer(url, seconds, concurrency)
    finally:
        await runner.cleanup()
    with tempfile.TemporaryDirectory(prefix="pitboard-bench-web-") as tmp:
        store = SQLiteStore(Path(tmp) / "pitboard.sqlite3")
        await store.open()
        try:
            await store.migrate()
            web_config = WebConfig(enabled=True, host="127.0.0.1", port=0)
            runtime = Runtime.build(
                replace(Config(), web=web_config),
                schedules=SCHEDULES,
                catalogs=CatalogHolder(load_catalog(SCHEDULES)),
                clock=FixedClock(NOW),
                store=store,
                chat_zone="Europe/Stockholm",
                console=ConsoleWriter(io.StringIO(), colour=False),
            )
            await runtime.start()
            try:
                assert runtime.web is not None and runtime.web.port, "the web server did not start"
                await busy_runtime(runtime)
                for target in TARGETS:
                    path = await target.prepare(runtime) if target.prepare else target.path
                    url = runtime.web.local_url + path
                    figures[target.name] = await hammer(url, seconds, concurrency)
            finally:
                await runtime.stop()
        finally:
            await store.close()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="half a second per path")
    parser.add_argument("--seconds", type=float, default=3.0, help="per path (default 3)")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight")
    args = parser.parse_args(argv)
    seconds = 0.5 if args.quick else args.seconds
    figures = asyncio.run(measure(seconds, args.concurrency))
    baseline = figures[BASELINE]
    print(f"{'path':<14} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} vs base")
    for name, found in figures.items():
        print(found.table_row(name, None if name == BASELINE else baseline))
    result = {
        "bench": "web",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "seconds_per_path": seconds,
        "concurrency": args.concurrency,
        **{f"web_{name}": found.as_json() for name, found in figures.items()},
    }
    print(json.dumps(result))
    errors = sum(found.errors for found in figures.values())
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
