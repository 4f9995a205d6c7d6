"""Discord benchmark: Pitboard against a typical discord.py bot, each against a fake Discord.

    python -m bench.discord [--channels 2000] [--rate 50] [--one-by-one 60] [--concurrency 20]
        [--batches 5] [--in-process] [--quick]

Both bots run discord.py's real HTTP client and gateway against their own local fake Discord
(tests/fakes/discord_api.py: REST checked against Discord's OpenAPI description, a real
gateway websocket) that allows --rate requests in any one-second window, as Discord allows a
bot 50, and answers 429 beyond it. Interaction callbacks are exempt, as on Discord.

1. Interaction round trip: slash commands (`/standings series:tcr-germany-2022`, `/next`,
   `/driver name:emil-sallberg`) dispatched over the gateway, --one-by-one of them in turn,
   then --batches of --concurrency at once, by fans in as many channels (no channel is asked
   twice in a phase: Pitboard answers "slow down" to a sixth command in a burst from one
   channel); latency is from the dispatch to the answer being stored by the fake. A warm-up
   in every channel goes first. Answers without the expected text are counted, not timed. The
   baseline's commands answer a fixed text: its latency is the floor that discord.py and the
   fake impose, so the ratio is what Pitboard's real work costs on top of it. `command_ratio`
   is the one-by-one p50 ratio (Pitboard's over the baseline's).
2. Fan-out: one announcement to --channels subscribed channels of one guild. Pitboard:
   `announcer.broadcast()` (outbox + delivery engine, told the fake's limit through
   `DiscordConfig.global_per_second`). Baseline: `for channel in channels: await
   channel.send(text)` with discord.py's own rate-limit handling only (it sleeps out each 429
   and retries, up to 5 tries). Figures: posts / (last arrival - start) against the limit, the
   429s the fake answered, channels reached, duplicates, failures, wall time. The 429s matter
   beyond the time they cost: Discord temporarily blocks the IP of a bot that collects
   10,000 invalid requests (401, 403, 429) in 10 minutes ("invalid request limit").

The baseline runs in a child process (`--baseline-worker`), because discord.py keeps its API
and gateway URLs in class attributes, so two fakes cannot serve one process at once. The
interactions are measured one bot at a time; the two fan-outs run at the same time, so the
default run (2,000 channels at 50/s: about 40 s each) takes about 45 s on 2 cores. With
--in-process the baseline runs after Pitboard in the same process instead (about twice as
long, and right for a single core).

Prints a table, then ONE final line holding a JSON object with every figure. Run it as a module
from the repository root: as a script, bench/ would lead sys.path and this file would shadow
discord.py's own `discord` package.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._discord_support import (
    TEXT,
    baseline_bot,
    baseline_expects,
    baseline_fanout,
    fanout_figures,
    interaction_figures,
    pitboard_bot,
    pitboard_expects,
    subscribe,
    wait_for_posts,
)
from bench._outbox import outbox_figures

REPO = Path(__file__).resolve().parents[1]
WORKER_TIMEOUT_S = 120.0  # for one answer from the baseline worker, fan-out excepted


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    # discord.py warns about every 429 it sleeps out; the fake counts them instead.
    logging.getLogger("discord.http").setLevel(logging.ERROR)
    if args.baseline_worker:
        asyncio.run(worker(args))
        return 0
    started = time.perf_counter()
    figures = asyncio.run(run(args))
    figures["wall_s"] = round(time.perf_counter() - started, 1)
    print(table(figures))
    print(json.dumps(figures, sort_keys=True))
    return 0


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--channels", type=int, default=2000, help="fan-out size")
    parser.add_argument("--rate", type=int, default=50, help="global limit, requests/s")
    parser.add_argument("--one-by-one", type=int, default=60, help="interactions in turn")
    parser.add_argument("--concurrency", type=int, default=20, help="interactions at once")
    parser.add_argument("--batches", type=int, default=5, help="batches of concurrent ones")
    parser.add_argument(
        "--in-process", action="store_true", help="baseline after Pitboard, same process"
    )
    parser.add_argument("--quick", action="store_true", help="a tiny run, for smoke tests")
    parser.add_argument("--baseline-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.channels, args.rate = 100, 50
        args.one_by_one, args.concurrency, args.batches = 6, 10, 1
    counts = (args.channels, args.rate, args.one_by_one, args.concurrency, args.batches)
    if min(counts) < 1:
        parser.error("--channels, --rate, --one-by-one, --concurrency, --batches must be >= 1")
    return args


def chat_channels(args: argparse.Namespace) -> int:
    """Enough channels for commands that none is asked twice in a phase."""
    return max(int(args.one_by_one), int(args.concurrency) * int(args.batches))


def interaction_settings(args: argparse.Namespace) -> dict[str, int]:
    return {
        "one_by_one": args.one_by_one,
        "concurrency": args.concurrency,
        "batches": args.batches,
    }


def deadline(args: argparse.Namespace) -> float:
    # Long enough for any sane run; a stuck fan-out is reported as such, not waited on forever.
    return 3 * int(args.channels) / int(args.rate) + 30.0


async def run(args: argparse.Namespace) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "benchmark": "discord",
        "rate_limit": args.rate,
        "channels": args.channels,
        **interaction_settings(args),
        "chat_channels": chat_channels(args),
        "fanouts_at_once": not args.in_process,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    # Started first: its setup overlaps Pitboard's.
    child = None if args.in_process else await Worker.spawn(args)
    pitboard: dict[str, Any] = {}
    baseline: dict[str, Any] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="pitboard-bench-") as tmp:
            async with pitboard_bot(
                Path(tmp), args.channels, chat_channels(args), args.rate
            ) as world:
                fake, runtime, guild = world.fake, world.runtime, world.guild
                subscribing = time.perf_counter()
                await subscribe(runtime, guild.channels)
                figures["subscribe_s"] = round(time.perf_counter() - subscribing, 2)
                if child is not None:
                    await child.answer()  # ready
                pitboard["interactions"] = await interaction_figures(
                    fake,
                    guild.chat_channels,
                    expected=pitboard_expects,
                    **interaction_settings(args),
                )
                if child is not None:
                    baseline["interactions"] = await child.ask("interactions")
                    await child.tell("fanout")
                flood_before = fake.stats.too_many_requests
                started = time.time()
                pitboard["recipients"] = await runtime.announcer.broadcast(TEXT)
                await wait_for_posts(fake, guild.channels, deadline(args))
                done = time.time()
                pitboard["fanout"] = fanout_figures(
                    fake, guild.channels, started, args.rate, flood_before
                ) | {"wall_s": round(done - started, 2), **await outbox_figures(runtime)}
                if child is not None:
                    baseline["fanout"] = await child.answer(deadline(args) + WORKER_TIMEOUT_S)
        if child is not None:
            await child.finish()
        else:
            async with baseline_bot(args.channels, chat_channels(args), args.rate) as base:
                baseline["interactions"] = await interaction_figures(
                    base.fake,
                    base.guild.chat_channels,
                    expected=baseline_expects,
                    **interaction_settings(args),
                )
                baseline["fanout"] = await baseline_fanout(base, args.rate)
    finally:
        if child is not None:
            await child.stop()
    figures["pitboard"], figures["baseline"] = pitboard, baseline
    figures["ratios"] = ratios(pitboard, baseline)
    figures.update(fanout_headline(pitboard["fanout"], baseline["fanout"]))
    figures["command_ratio"] = figures["ratios"]["one_by_one_p50"]
    return figures


def fanout_headline(ours: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any]:
    """The fan-out's headline figures, at the top level of the JSON: the share of the limit
    reached and the 429s provoked, Pitboard's and the baseline's."""
    return {
        "fanout_limit_share": ours["rate_ratio"],
        "baseline_fanout_limit_share": theirs["rate_ratio"],
        "fanout_429s": ours["429s"],
        "baseline_fanout_429s": theirs["429s"],
    }


# --- the baseline in a child process -----------------------------------------------------------


class Worker:
    """The parent's end of `--baseline-worker`: one word per line in, one JSON line out."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self._process = process

    @classmethod
    async def spawn(cls, args: argparse.Namespace) -> Worker:
        flags = [
            f"--channels={args.channels}",
            f"--rate={args.rate}",
            f"--one-by-one={args.one_by_one}",
            f"--concurrency={args.concurrency}",
            f"--batches={args.batches}",
        ]
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.discord",
            "--baseline-worker",
            *flags,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=REPO,
            env=env,
        )
        return cls(process)

    async def tell(self, word: str) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write(f"{word}\n".encode())
        await self._process.stdin.drain()

    async def answer(self, timeout: float = WORKER_TIMEOUT_S) -> Any:  # noqa: ASYNC109
        assert self._process.stdout is not None
        line = await asyncio.wait_for(self._process.stdout.readline(), timeout)
        if not line:
            code = await self._process.wait()
            raise RuntimeError(f"the baseline worker exited with {code} (its stderr says why)")
        return json.loads(line)

    async def ask(self, word: str) -> Any:
        await self.tell(word)
        return await self.answer()

    async def finish(self) -> None:
        """Let the worker leave its fake, which fails it on any contract violation."""
        assert self._process.stdin is not None
        self._process.stdin.close()
        code = await asyncio.wait_for(self._process.wait(), WORKER_TIMEOUT_S)
        if code != 0:
            raise RuntimeError(f"the baseline worker exited with {code} (its stderr says why)")

    async def stop(self) -> None:
        """Whatever happened: no worker outlives the run."""
        if self._process.returncode is None:
            self._process.kill()
            await self._process.wait()


async def worker(args: argparse.Namespace) -> None:
    """The baseline, driven by the parent over stdin and stdout (nothing else is printed)."""

    def emit(answer: Any) -> None:
        print(json.dumps(answer), flush=True)

    async with baseline_bot(args.channels, chat_channels(args), args.rate) as world:
        emit({"ready": True})
        while word := (await asyncio.to_thread(sys.stdin.readline)).strip():
            if word == "interactions":
                fake, chats = world.fake, world.guild.chat_channels
                emit(
                    await interaction_figures(
                        fake, chats, expected=baseline_expects, **interaction_settings(args)
                    )
                )
            elif word == "fanout":
                emit(await baseline_fanout(world, args.rate))


# --- the report --------------------------------------------------------------------------------


def ratios(pitboard: dict[str, Any], baseline: dict[str, Any]) -> dict[str, float | None]:
    """Pitboard / baseline: above 1 is better for rates, below 1 for latencies and 429s."""
    pi, bi = pitboard["interactions"], baseline["interactions"]
    pf, bf = pitboard["fanout"], baseline["fanout"]
    return {
        "one_by_one_p50": _ratio(pi["sequential"]["p50_ms"], bi["sequential"]["p50_ms"]),
        "one_by_one_p99": _ratio(pi["sequential"]["p99_ms"], bi["sequential"]["p99_ms"]),
        "concurrent_p50": _ratio(pi["concurrent"]["p50_ms"], bi["concurrent"]["p50_ms"]),
        "concurrent_p99": _ratio(pi["concurrent"]["p99_ms"], bi["concurrent"]["p99_ms"]),
        "fanout_rate": _ratio(pf["rate"], bf["rate"]),
        "fanout_seconds": _ratio(pf["seconds"], bf["seconds"]),
        "fanout_429s": _ratio(pf["429s"], bf["429s"]),
    }


def _ratio(ours: float | None, theirs: float | None) -> float | None:
    if ours is None or not theirs:
        return None
    return round(ours / theirs, 2)


def table(f: dict[str, Any]) -> str:
    p, b, r = f["pitboard"], f["baseline"], f["ratios"]
    ps, bs = p["interactions"]["sequential"], b["interactions"]["sequential"]
    pc, bc = p["interactions"]["concurrent"], b["interactions"]["concurrent"]
    pf, bf = p["fanout"], b["fanout"]
    n, at_once = f["channels"], f"{f['concurrency']} at once"
    rows: list[tuple[str, Any, Any, Any]] = [
        # command_ratio: one interaction at a time, p50, against fixed-text commands.
        ("p50 ms, one by one (command_ratio)", ps["p50_ms"], bs["p50_ms"], r["one_by_one_p50"]),
        ("interaction p99 ms, one by one", ps["p99_ms"], bs["p99_ms"], r["one_by_one_p99"]),
        (f"interaction p50 ms, {at_once}", pc["p50_ms"], bc["p50_ms"], r["concurrent_p50"]),
        (f"interaction p99 ms, {at_once}", pc["p99_ms"], bc["p99_ms"], r["concurrent_p99"]),
        ("interactions wrong/lost", _bad(ps, pc), _bad(bs, bc), None),
        ("fan-out posts/s", pf["rate"], bf["rate"], r["fanout_rate"]),
        ("fan-out rate / limit", pf["rate_ratio"], bf["rate_ratio"], None),
        ("fan-out s to last post", pf["seconds"], bf["seconds"], r["fanout_seconds"]),
        ("fan-out wall s", pf["wall_s"], bf["wall_s"], None),
        ("first post after ms", pf["first_ms"], bf["first_ms"], None),
        ("429s answered by the fake", pf["429s"], bf["429s"], r["fanout_429s"]),
        (
            "channels reached",
            f"{pf['channels_reached']}/{n}",
            f"{bf['channels_reached']}/{n}",
            None,
        ),
        ("duplicates", pf["duplicates"], bf["duplicates"], None),
        ("failed / given up", pf["gave_up"], bf["failed"], None),
    ]
    mode = "at the same time" if f["fanouts_at_once"] else "one after the other"
    lines = [
        f"Discord benchmark: {f['one_by_one']} interactions one by one, {f['batches']} x "
        f"{f['concurrency']} at once; fan-out to {n} channels, global limit "
        f"{f['rate_limit']}/s (Python {f['python']}, {f['cpus']} CPUs)",
        "baseline: a bare discord.py client with fixed-text slash commands and a "
        f"channel.send loop; the two fan-outs ran {mode}",
        "",
        f"{'metric':<34}{'Pitboard':>12}{'baseline':>12}{'ratio':>9}",
    ]
    for name, ours, theirs, ratio in rows:
        shown = "" if ratio is None else f"{ratio:.2f}x"
        lines.append(f"{name:<34}{ours!s:>12}{theirs!s:>12}{shown:>9}")
    lines += [
        "",
        f"fan-out: {f['fanout_limit_share']} of the limit with {f['fanout_429s']} 429s "
        f"(baseline {f['baseline_fanout_limit_share']} with {f['baseline_fanout_429s']})",
        f"({f['subscribe_s']} s to subscribe {n} channels in SQLite; "
        f"whole run {f.get('wall_s', '?')} s)",
    ]
    return "\n".join(lines)


def _bad(*latencies: dict[str, Any]) -> str:
    return f"{sum(x['wrong'] for x in latencies)}/{sum(x['lost'] for x in latencies)}"


if __name__ == "__main__":
    sys.exit(main())
