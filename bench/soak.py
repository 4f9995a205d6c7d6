"""Season-long soak: the bundled 2022 season replayed fast, under faults, with the bot killed.

    python -m bench.soak [--telegram-chats 10000] [--discord-channels 1000] [--kills 3]
        [--kill-signal KILL|TERM] [--window season|hockenheim] [--speed S] [--rate 300]
        [--scale 100] [--seed 7] [--quick] [--keep DIR] [--database postgresql://...]
        [--processes N]

The fake Telegram Bot API and the fake Discord (tests/fakes/) run in this process, so they
outlive the bot. The bot is the real `pitboard run` in a subprocess, replaying the schedules
with a database that survives restarts: a SQLite file, or with --database a schema of its own
on that PostgreSQL server (bench/_soak_db.py). Before the first start the benchmark stores the
audience itself (through the store): mixed filters (series, drivers, session kinds), zones and
reminder offsets. During the run:

- every posting request risks a fault: 5 % 429 with a retry-after, 1 % 5xx, 0.5 % connection
  reset before it is served, 0.5 % lost response (stored, then the connection is cut: what a
  timeout is to the bot); rate limits are on, scaled by --scale (Telegram 30/s -> 3,000/s);
- 0.5 % of the chats, chosen up front, are blocked (Telegram) or deleted (Discord) in the
  middle of the longest quiet stretch; a Telegram group becomes a supergroup at that moment;
- the bot is killed with SIGKILL --kills times, at seeded moments in the middle of fan-outs,
  and restarted with --at set to the clock time it had reached, read from its log (the pacer
  logs each move of the replay clock: bench/_soak_clock.py);
- once (unless --no-downtime) the bot is stopped (SIGTERM) just before a due moment and
  restarted with --at a gap of clock later (70 minutes when that gap exercises every catch-up
  rule, else the nearest that does, up to 2 h): what fell in the gap is due late or missed as
  the catch-up rules say (bench/_soak_downtime.py, written apart from the bot's planning);
- before the first start an admin post longer than one Telegram (and Discord) message goes
  into the outbox for every chat: each must get every part of it once (bench/_soak_long.py);
- with --processes N (PostgreSQL only) N bot processes share the database: one plans and
  paces the replay clock, the others follow it, all send; the kills hit the leader twice and a
  follower once in every three, each restarted at once (bench/_soak_processes.py, which also
  says how what a kill left in flight is told apart from the live processes' sends).

Pacing. The bot paces its own replay (bot.scheduling.pacer): its clock starts when the bot is
ready and never passes a due moment while posts due before it are still going out, so no
reminder is dropped because the machine, the rate limits or a retry-after could not keep up
with a compressed clock; a slow machine makes the replay longer, not different. --speed (by
default the fastest that gives each reminder's fan-out twice the time it needs at --rate posts
a second) only sets how fast the quiet time passes. The season is run in stretches: the due
moments are grouped, the bot runs from a little before a group until everything due in it is
out (then SIGTERM), and is off through the quiet days between groups.

Then the LEDGER, from what the fakes received. What was due is worked out by the benchmark
itself (bench/_soak_due.py): from the schedules' TOML files and the audience as stored in the
database, with each chat's own offsets and filters, never with the bot's own planning, so a
planning bug shows as lost or unexpected posts. A received message is named by the outbox's
delivery row holding its message id; a message no row holds is named by its text, and its text
is checked against the row's name for every other one. A message no row holds is explained
only by a lost response (injected), by an answer the bot no longer waited for (the fake's
answer was ready after the bot had closed the connection: a timeout on a starved machine), or
by a kill: the fakes record the posting requests open (received, not yet answered) when the
bot died, and the store, read right after the kill, the deliveries claimed and not yet
recorded; a send in none of these is "unexplained". Each copy the
bot did not know it had delivered may be followed by one more copy, and duplicates beyond that
are counted post by post. Printed: due, delivered, lost, duplicates (per platform, and those
from lost answers), what explains each extra copy, blocked chats and the sends after their
first 403/404 (must be 0), lateness in clock time. Then one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import signal
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import _soak_long as long_post
from bench._soak_clock import BotClock
from bench._soak_db import SoakDatabase
from bench._soak_downtime import Downtime, after_downtime, choose, sent_late, split
from bench._soak_due import Expected, expected_announcements, expected_posts, stored_followers
from bench._soak_processes import (
    free_port,
    kill_figures,
    next_start,
    replay_processes,
    sent_by_killed,
)
from bench._soak_support import (
    Arrival,
    Audience,
    FaultRates,
    Post,
    SoakDiscord,
    SoakTelegram,
    Stretch,
    busy_speed,
    discord_channels,
    guess,
    labels,
    make_audience,
    populate,
    quiet_moment,
    says,
    stretches,
    write_config,
)
from bot.core.audience import ChatRef
from bot.core.catalog import Catalog
from bot.core.schedules import load_catalog
from tests.fakes.telegram_api import RateLimitRules

ROOT = Path(__file__).resolve().parents[1]
SCHEDULES = ROOT / "schedules"
WINDOWS = {  # (replay start, --until): before the first announcement, after the last
    "season": ("2022-04-19T12:00+00:00", "2022-06-02T12:00+00:00"),
    "hockenheim": ("2022-05-11T12:00+00:00", "2022-05-15T18:00+00:00"),
}
RESTART_S = 2.0  # real seconds from spawning the bot to its first send, with a margin
STOP_WAIT_S = 20.0


@dataclass
class Run:
    """One life of the bot process."""

    at: datetime  # its --at
    log: Path
    spawned: float  # wall time
    bot_clock: BotClock
    origin: float = 0.0  # wall time its clock started (the bot was ready)
    ended: float = 0.0
    killed: bool = False
    overran: bool = False  # reached --until with posts still going out
    # At a kill: the posting requests the fakes had received and not yet answered, and the
    # deliveries the bot had claimed and not recorded (key, platform, chat id).
    open_at_kill: set[int] = field(default_factory=set)
    unrecorded_at_kill: set[tuple[str, str, str]] = field(default_factory=set)
    proc: asyncio.subprocess.Process | None = None
    # With several processes (--processes): which one this is (0 to N-1), whether it led or
    # followed when killed, and its TCP ports then (what it had in flight at the fakes).
    slot: int = 0
    role: str = ""
    ports_at_kill: set[int] = field(default_factory=set)

    def clock(self, wall: float) -> datetime:
        """What the bot's (paced) clock showed at `wall`, from its log."""
        return self.bot_clock.reading(wall)


@dataclass
class World:
    args: argparse.Namespace
    catalog: Catalog
    audience: Audience
    telegram: SoakTelegram
    discord: SoakDiscord
    tmp: Path
    start: datetime
    until: datetime
    due: dict[Post, Expected]
    quiet: datetime  # when chats are blocked and the group migrates
    database: SoakDatabase
    quiet_done: bool = False
    runs: list[Run] = field(default_factory=list)
    downtime: Downtime | None = None
    missed: dict[Post, Expected] = field(default_factory=dict)  # in the downtime, as expected
    long_key: str = ""  # the multi-part admin post
    long_recipients: int = 0


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    started = time.perf_counter()
    figures = asyncio.run(soak(args))
    figures["wall_s"] = round(time.perf_counter() - started, 1)
    print(table(figures))
    print(json.dumps(figures, sort_keys=True, default=str))
    return 0


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--telegram-chats", type=int, help="default 10,000 (--quick: 300)")
    parser.add_argument("--discord-channels", type=int, help="default 1,000 (--quick: 30)")
    parser.add_argument("--kills", type=int, default=3, help="SIGKILLs at seeded moments")
    parser.add_argument(
        "--kill-signal",
        type=lambda name: signal.Signals[f"SIG{name.upper()}"],
        default=signal.SIGKILL,
        help="KILL, or TERM for graceful stops at the same moments",
    )
    parser.add_argument("--window", choices=sorted(WINDOWS), default="season")
    parser.add_argument("--speed", type=float, default=0.0, help="clock speed (0: computed)")
    parser.add_argument("--rate", type=float, default=300.0, help="posts/s assumed for pacing")
    parser.add_argument("--scale", type=float, default=100.0, help="rate limits x this")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--no-downtime",
        dest="downtime",
        action="store_false",
        help="no stop across due moments with a restart 70 min of clock later",
    )
    parser.add_argument("--quick", action="store_true", help="Hockenheim, 300 + 30 chats")
    parser.add_argument("--keep", type=Path, help="keep the database and the bot's logs here")
    parser.add_argument(
        "--database",
        help="a postgresql:// URL: run on that server, in a schema of its own (default: SQLite)",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="bot processes on the one database (above 1: PostgreSQL only)",
    )
    args = parser.parse_args(argv)
    if args.processes < 1 or (args.processes > 1 and args.database is None):
        parser.error("--processes is at least 1; above 1 it needs --database postgresql://...")
    if args.quick:
        args.window = "hockenheim"
    args.telegram_chats = args.telegram_chats or (300 if args.quick else 10_000)
    args.discord_channels = args.discord_channels or (30 if args.quick else 1_000)
    if args.telegram_chats < 10 or args.discord_channels < 1 or args.kills < 0:
        parser.error("at least 10 Telegram chats and 1 Discord channel; --kills >= 0")
    return args


async def soak(args: argparse.Namespace) -> dict[str, Any]:
    catalog = load_catalog(SCHEDULES)
    start, until = (datetime.fromisoformat(t).astimezone(UTC) for t in WINDOWS[args.window])
    rates, scale = FaultRates(), args.scale
    limits = RateLimitRules(
        global_per_second=int(30 * scale),
        per_chat_per_second=int(scale),
        per_group_per_minute=int(20 * scale),
    )
    async with (
        SoakTelegram(rates, scale, args.seed, limits=limits) as telegram,
        SoakDiscord(rates, scale, args.seed, global_per_second=int(50 * scale)) as discord,
    ):
        channels = discord_channels(discord, args.discord_channels)
        audience = make_audience(catalog, args.telegram_chats, channels, args.seed)
        for chat_id in audience.telegram_channels:
            telegram.add_chat(chat_id, "channel", title=f"Channel {chat_id}")
            telegram.set_bot_status(chat_id, "administrator")
        with _folder(args.keep) as folder, contextlib.ExitStack() as stack:
            tmp = Path(folder)
            filling = time.perf_counter()
            database = SoakDatabase.for_run(tmp, args.database)
            stack.callback(database.drop)
            async with database.store() as store:
                await store.migrate()
                await populate(store, audience)
            populate_s = time.perf_counter() - filling
            # What is due comes from the schedules' files and the stored audience, not from
            # the bot's planning; the blocks fall in a quiet stretch, found before anyone is.
            followers = stored_followers(database)
            blocked = {(ref.platform, ref.id) for ref in audience.blocked}
            unblocked = expected_posts(SCHEDULES, followers, start, until, set(), until)
            quiet = quiet_moment(_posts(unblocked), start)
            found = expected_posts(SCHEDULES, followers, start, until, blocked, quiet)
            args.speed = args.speed or busy_speed(_posts(found), args.rate)
            plan_ = stretches(_posts(found), start, until, args.speed, args.rate, RESTART_S)
            # The bot off across due moments, restarted later than the clock it reached.
            chat_of = {post: (post[1], post[2]) for post in found}
            down = choose(plan_, found, chat_of) if args.downtime else None
            missed: dict[Post, Expected] = {}
            if down is not None:
                found, skipped = after_downtime(found, down, chat_of)
                missed = _posts(skipped)
                plan_ = split(plan_, down, found)
            due = _posts(found)
            world = World(
                args, catalog, audience, telegram, discord, tmp, start, until, due, quiet, database
            )
            world.downtime, world.missed = down, missed
            async with database.store() as store:  # before the bot's first start
                world.long_key, world.long_recipients = await long_post.enqueue(store, start)
            replaying = time.perf_counter()
            if args.processes > 1:
                await replay_processes(world, plan_, kill_plan(world, plan_))
            else:
                await replay(world, plan_)
            figures = build_ledger(world)
            figures["kills"] = kill_figures(world) if args.processes > 1 else []
            figures["timing"] = {
                "populate_s": round(populate_s, 1),
                "replay_s": round(time.perf_counter() - replaying, 1),
                "stretches": len(plan_),
            }
    figures["setup"] = {
        "telegram_chats": args.telegram_chats,
        "discord_channels": args.discord_channels,
        "window": [start.isoformat(), until.isoformat()],
        "speed": round(args.speed, 1),
        "scale": scale,
        "seed": args.seed,
        "kills": args.kills,
        "kill_signal": args.kill_signal.name,
        "database": "sqlite" if args.database is None else "postgresql",
        "processes": args.processes,
        "fault_rates": vars(rates),
        "blocked_at": quiet.isoformat(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    violations = [str(v)[:300] for v in (*telegram.violations, *discord.violations)]
    figures["fakes"] = {
        "telegram_faults": dict(telegram.stats.faults),
        "telegram_429s_from_limits": telegram.stats.rate_limited,
        "discord_faults": discord.injected,
        "discord_429s_from_limits": discord.stats.global_rate_limited
        + discord.stats.bucket_rate_limited,
        "violations": len(violations),
        "violation_examples": violations[:3],
    }
    return figures


def _posts(found: dict[tuple[str, str, str], Expected]) -> dict[Post, Expected]:
    return {(key, ChatRef(platform, chat)): item for (key, platform, chat), item in found.items()}


def _folder(keep: Path | None) -> contextlib.AbstractContextManager[str]:
    if keep is None:
        return tempfile.TemporaryDirectory(prefix="pitboard-soak-")
    keep.mkdir(parents=True, exist_ok=False)  # never mix two runs' logs
    return contextlib.nullcontext(str(keep))


# --- the bot process: stretches, kills, restarts ------------------------------------------------


@dataclass(frozen=True)
class Kill:
    moment: datetime  # a due moment of its stretch
    after: int  # posts to arrive after it before the SIGKILL


def kill_plan(world: World, plan_: list[Stretch]) -> dict[int, Kill]:
    """Seeded: stretches among the busier half, each killed when 20-80 % of the posts due at
    one of its moments have arrived: in the middle of a fan-out. Not in the fan-out of a
    reminder so close to its session that the restart alone (RESTART_S real seconds of clock
    standing still for the fans) would make the bot rightly drop it as too late."""
    rng = random.Random(world.args.seed)
    restart = 3 * RESTART_S * world.args.speed
    short = {
        item.due
        for item in world.due.values()
        if item.kind == "reminder" and (item.offset or 0) * 60 < restart
    }
    # Not around the downtime: a kill there would restart the bot at the clock it reached.
    down = world.downtime
    spared = {down.stretch, down.stretch + 1} if down else set()
    safe = [
        [] if n in spared else [(m, c) for m, c in stretch.moments if m not in short]
        for n, stretch in enumerate(plan_)
    ]
    busy = sorted(
        (n for n in range(len(plan_)) if safe[n]), key=lambda n: -sum(c for _, c in safe[n])
    )
    pool = busy[: max(world.args.kills, len(busy) // 2)]
    kills = {}
    for n in rng.sample(pool, min(world.args.kills, len(pool))):
        moment, posts = rng.choice(safe[n])
        kills[n] = Kill(moment, max(1, round(rng.uniform(0.2, 0.8) * posts)))
    return kills


async def replay(world: World, plan_: list[Stretch]) -> None:
    kills = kill_plan(world, plan_)
    for n, stretch in enumerate(plan_):
        at = stretch.at
        while True:
            run = await spawn(world, at, stretch.until)
            try:
                run.origin = await clock_origin(run)
                if not await supervise(world, run, stretch, kills.get(n)):
                    break
            finally:
                if run.proc is not None and run.proc.returncode is None:
                    run.proc.kill()  # only when this benchmark fails: no bot is left behind
                    await run.proc.wait()
            kills.pop(n)
            at = run.clock(run.ended)


async def spawn(world: World, at: datetime, until: datetime, *, slot: int = 0) -> Run:
    if not world.quiet_done and at >= world.quiet:
        block_and_migrate(world)
    processes = world.args.processes
    config = world.tmp / ("config.toml" if processes == 1 else f"config-{slot}.toml")
    if not config.exists():
        write_config(
            config,
            world.telegram,
            world.discord,
            world.args.scale,
            process=slot,
            processes=processes,
            webhook_port=free_port(),
        )
    name = f"run-{len(world.runs) + 1}" + ("" if processes == 1 else f"-process-{slot}")
    log = world.tmp / f"{name}.log"
    run = Run(at, log, time.time(), BotClock(log, at, world.args.speed), slot=slot)
    world.runs.append(run)
    command = [sys.executable, "-m", "bot", "--config", str(config), "run"]
    command += ["--at", at.isoformat(), "--speed", repr(world.args.speed)]
    command += ["--until", until.isoformat(), "--database", world.database.bot_argument]
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": world.telegram.token,
        "DISCORD_BOT_TOKEN": world.discord.token,
    }
    with run.log.open("wb") as log:
        run.proc = await asyncio.create_subprocess_exec(
            *command, stdout=log, stderr=log, env=env, cwd=ROOT
        )
    return run


async def supervise(world: World, run: Run, stretch: Stretch, kill: Kill | None) -> bool:
    """Until the bot is killed (True), or stopped once everything due is out, or at --until."""
    proc = run.proc
    assert proc is not None
    observed = (world.telegram.observed, world.discord.observed)
    keys = {key for (key, _), item in world.due.items() if item.due <= stretch.last_due}
    checked, stopped, baseline = 0.0, False, None
    while proc.returncode is None:
        run.bot_clock.refresh()
        now = run.clock(time.time())
        if not world.quiet_done and now >= world.quiet:
            block_and_migrate(world)
        arrived = sum(len(o.arrivals) for o in observed)
        if kill is not None and now >= kill.moment and baseline is None:
            baseline = arrived
        is_drained = False
        if now >= stretch.last_due and time.time() - checked > 0.1:
            checked = time.time()
            is_drained = drained(world.database, keys)
        if kill and baseline is not None and (arrived - baseline >= kill.after or is_drained):
            proc.send_signal(world.args.kill_signal)
            # No await in between: no fake's handler has moved since the bot died.
            run.open_at_kill = set().union(*(o.open for o in observed))
            run.ended, run.killed = time.time(), True
            await proc.wait()
            run.bot_clock.refresh()
            run.unrecorded_at_kill = claimed_unrecorded(world.database)
            return True
        if is_drained:
            stopped = True
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), STOP_WAIT_S)
            except TimeoutError:
                proc.send_signal(signal.SIGKILL)
                raise RuntimeError(f"the bot did not stop on SIGTERM; see {run.log}") from None
            break
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(proc.wait(), 0.01)
    run.ended = time.time()
    run.overran = not stopped
    if proc.returncode not in (0, -signal.SIGTERM):
        raise RuntimeError(f"the bot exited with {proc.returncode}; see {run.log}")
    return False


def drained(database: SoakDatabase, keys: set[str]) -> bool:
    """Everything due so far is in the outbox and no delivery is waiting or in flight. The
    outbox first: an announcement's row and its deliveries are written in one transaction, so
    once its key is seen, a later read sees its deliveries too."""
    known = {row[0] for row in database.rows("SELECT key FROM outbox")}
    if not keys <= known:
        return False
    busy = database.rows("SELECT count(*) FROM deliveries WHERE status IN ('pending', 'sending')")
    return not busy[0][0]


def claimed_unrecorded(database: SoakDatabase) -> set[tuple[str, str, str]]:
    """Deliveries the bot had claimed and not recorded an outcome for: read right after a
    kill, before the next start puts them back in the queue."""
    rows = database.rows("SELECT key, platform, chat_id FROM deliveries WHERE status = 'sending'")
    return {(key, platform, chat) for key, platform, chat in rows}


async def clock_origin(run: Run) -> float:
    """When the bot's clock started: its pacer logs the first move once the bot is ready."""
    proc = run.proc
    assert proc is not None
    deadline = time.time() + 120
    while time.time() < deadline:
        run.bot_clock.refresh()
        if run.bot_clock.started is not None:
            return run.bot_clock.started
        if proc.returncode is not None:
            break
        await asyncio.sleep(0.01)
    raise RuntimeError(f"the bot did not start; see {run.log}")


def block_and_migrate(world: World) -> None:
    world.quiet_done = True
    for ref in world.audience.blocked:
        if ref.platform == "telegram":
            world.telegram.block(int(ref.id))
        else:
            world.discord.delete_channel(ref.id)
    old, new = world.audience.migrated
    if old:
        world.telegram.migrate(int(old), int(new), notify=False)


# --- the ledger ------------------------------------------------------------------------------

RECORDED, LOST_ANSWER, AT_KILL, TIMED_OUT, UNEXPLAINED = (
    "recorded", "lost response", "in flight at a kill", "answered after the bot timed out",
    "unexplained",
)  # fmt: skip
NEVER_HEARD = (LOST_ANSWER, TIMED_OUT)  # the platform served it, the bot never got the answer
PLATFORMS = ("telegram", "discord")


def build_ledger(world: World) -> dict[str, Any]:
    audience, due = world.audience, world.due
    offsets = frozenset({60, 15}.union(*(chat.reminder_minutes for chat, _ in audience.members)))
    known = {item.key: item for item in expected_announcements(SCHEDULES, offsets)}
    by_chat: dict[ChatRef, list[Expected]] = defaultdict(list)
    for (_, ref), expected in due.items():
        by_chat[ref].append(expected)
    old, new = audience.migrated
    named = labels(world.database, audience.migrated, world.quiet)
    copies: dict[Post, list[tuple[Arrival, str]]] = defaultdict(list)
    causes: Counter[str] = Counter()
    unnamed: list[tuple[Arrival, str]] = []
    mislabelled = 0
    everything = world.telegram.observed.arrivals + world.discord.observed.arrivals
    arrivals = [arrival for arrival in everything if not long_post.is_part(arrival)]
    for arrival in arrivals:
        ref = ChatRef(arrival.platform, old if old and arrival.chat == new else arrival.chat)
        key = named.get((arrival.platform, arrival.chat, arrival.message_id))
        item: Expected | None
        if key is None:  # no delivery row holds this message: why not?
            item = guess(arrival.text, by_chat.get(ref, []))
            cause = _cause(world, arrival, item)
        else:
            cause, item = RECORDED, known.get(key)
            mislabelled += item is not None and not says(arrival.text, item)
        causes[cause] += 1
        if item is None:
            unnamed.append((arrival, cause))
        else:
            copies[(item.key, ref)].append((arrival, cause))
    missing = [post for post in due if not copies.get(post)]
    extra = {post: got for post, got in copies.items() if len(got) > 1}
    unexpected = [post for post in copies if post not in due]
    duplicates = _duplicates(extra)
    return {
        "ledger": {
            "due": len(due),
            "delivered": len(due) - len(missing),
            "lost": len(missing),
            "duplicates": sum(len(got) - 1 for got in extra.values()),
            **duplicates,
            "max_copies": max((len(got) for got in copies.values()), default=0),
            # A lost response may repeat a post once more each time; a kill at most once.
            "max_copies_without_lost_responses": max(
                (sum(c not in NEVER_HEARD for _, c in got) for got in copies.values()), default=0
            ),
            # Sends the platform got and the bot never recorded because it was killed: the
            # request was open at the fake, or answered but not yet marked in the store.
            "in_flight_at_kills": causes[AT_KILL],
            "open_requests_at_kills": sum(len(run.open_at_kill) for run in world.runs),
            "claimed_unrecorded_at_kills": sum(len(r.unrecorded_at_kill) for r in world.runs),
            "lost_responses": causes[LOST_ANSWER],
            "answers_after_timeout": causes[TIMED_OUT],
            "duplicate_bound": causes[AT_KILL] + causes[LOST_ANSWER] + causes[TIMED_OUT],
            "unrecorded_unexplained": causes[UNEXPLAINED],
            "unexpected": len(unexpected),
            "unnamed_arrivals": len(unnamed),
            "text_disagrees_with_label": mislabelled,
            "arrivals": len(arrivals),
            "migrated_group": _migrated(world, copies),
            **_blocked(world),
            **_lateness(world, copies),
        },
        "downtime": _downtime(world, copies),
        "multipart": long_post.ledger(
            [arrival for arrival in everything if long_post.is_part(arrival)],
            world.long_recipients,
            lambda arrival: _cause(world, arrival, None, world.long_key) != UNEXPLAINED,
            lambda arrival: (
                arrival.platform,
                old if old and arrival.chat == new else arrival.chat,
            ),
        ).figures(),
        # Not counted from the store: only why the bot says it did not send what was lost.
        "lost_store_says": dict(Counter(_store_says(world, missing).values())),
        "lost_posts": [
            {**_post(world, post), "store_says": why}
            for post, why in list(_store_says(world, missing[:20]).items())
        ],
        "duplicated_posts": [
            {
                **_post(world, post),
                "copies": [f"message {a.message_id}: {cause}" for a, cause in got],
            }
            # Those a kill explains first, then the most copies.
            for post, got in sorted(extra.items(), key=_interest)[:30]
        ],
        "unexpected_posts": [_post(world, post) for post in unexpected[:10]],
        "unexplained": [
            f"{_where(world, a)}; {len(got)} copies; store: {_store_says(world, [post])[post]}"
            for post, got in copies.items()
            for a, cause in got
            if cause == UNEXPLAINED
        ][:10],
        "unnamed": [_where(world, a) for a, _ in unnamed[:5]],
        "runs": [
            {
                "at": run.at.isoformat(),
                "real_s": round(run.ended - run.origin, 2),
                "startup_s": round(run.origin - run.spawned, 2),
                "killed": run.killed,
                "overran": run.overran,
                "reached": run.clock(run.ended).isoformat(),
                "open_requests_at_kill": len(run.open_at_kill) if run.killed else None,
                "claimed_unrecorded_at_kill": len(run.unrecorded_at_kill) if run.killed else None,
            }
            for run in world.runs
        ],
    }


def _migrated(world: World, copies: dict[Post, list[tuple[Arrival, str]]]) -> dict[str, int]:
    """The group that became a supergroup: what was due to it, what reached each of its ids."""
    old, new = world.audience.migrated
    ref = ChatRef("telegram", old)
    mine = [post for post in world.due if post[1] == ref]
    firsts = [min(copies[post], key=lambda c: c[0].wall)[0] for post in mine if post in copies]
    return {
        "due": len(mine),
        "to_old_id": sum(a.chat == old for a in firsts),
        "to_new_id": sum(a.chat == new for a in firsts),
    }


def _interest(pair: tuple[Post, list[tuple[Arrival, str]]]) -> tuple[bool, int]:
    return (not any(cause == AT_KILL for _, cause in pair[1]), -len(pair[1]))


def _store_says(world: World, posts: list[Post]) -> dict[Post, str]:
    """The delivery row's status and last error for each post, or that there is none."""
    rows = world.database.rows(
        "SELECT key, platform, chat_id, status, attempts, coalesce(last_error, '') FROM deliveries"
    )
    old, new = world.audience.migrated
    rows_by_post = {
        (key, ChatRef(p, old if c == new else c)): f"{status} after {n} attempts {error}".strip()
        for key, p, c, status, n, error in rows
    }
    return {post: rows_by_post.get(post, "no delivery row") for post in posts}


def _cause(world: World, arrival: Arrival, item: Expected | None, key: str = "") -> str:
    """Why no delivery row holds a message the platform got: its answer was lost, or the bot
    was killed while the send was in flight (the request was open at the fake when the bot
    died, or was answered and the bot had not recorded it: its delivery was still claimed)."""
    if arrival.lost:
        return LOST_ANSWER
    for n, run in enumerate(world.runs):
        if not run.killed:
            continue
        if arrival.request in run.open_at_kill:
            return AT_KILL
        key = item.key if item is not None else key
        claimed = bool(key) and (key, arrival.platform, arrival.chat) in run.unrecorded_at_kill
        # Up to the next start: a request the killed bot had written and the fake had not yet
        # read when it died arrives just after; no other bot was running to send it (with
        # several processes: from the killed one's ports, before it was started again).
        later = next_start(world, n)
        if claimed and run.spawned <= arrival.wall < later and sent_by_killed(world, arrival, run):
            return AT_KILL
    if arrival.unanswered:
        return TIMED_OUT  # not injected: the bot had given up when the platform answered
    return UNEXPLAINED


def _duplicates(extra: dict[Post, list[tuple[Arrival, str]]]) -> dict[str, Any]:
    """Extra copies per platform and per cause, and how many no unrecorded copy explains: each
    copy the bot did not know it had delivered (lost answer, in flight at a kill) may be
    followed by one more, and by no other."""
    by_platform: Counter[str] = Counter()
    lost_by_platform: Counter[str] = Counter()
    beyond = 0
    for (_, ref), got in extra.items():
        dups = len(got) - 1
        lost = sum(cause in NEVER_HEARD for _, cause in got)
        killed = sum(cause == AT_KILL for _, cause in got)
        by_platform[ref.platform] += dups
        lost_by_platform[ref.platform] += min(dups, lost)
        beyond += max(0, dups - lost - killed)
    return {
        **{f"duplicates_{p}": by_platform[p] for p in PLATFORMS},
        **{f"duplicates_from_lost_answers_{p}": lost_by_platform[p] for p in PLATFORMS},
        "duplicates_beyond_bound": beyond,
    }


def _run_at(world: World, wall: float) -> int:
    """The run that was live (or had just been killed) at `wall`."""
    return max((n for n, run in enumerate(world.runs) if run.spawned <= wall), default=0)


def _where(world: World, arrival: Arrival) -> str:
    n = _run_at(world, arrival.wall)
    return (
        f"{arrival.platform}:{arrival.chat} message {arrival.message_id}, run {n + 1}, "
        f"{world.runs[n].ended - arrival.wall:.2f} s before it ended: "
        f"{arrival.text.partition(chr(10))[0][:60]!r}"
    )


def _post(world: World, post: Post) -> dict[str, str]:
    key, ref = post
    item = world.due.get(post)
    return {"key": key, "chat": str(ref), "due": item.due.isoformat() if item else "not due"}


def _lateness(world: World, copies: dict[Post, list[tuple[Arrival, str]]]) -> dict[str, Any]:
    """Clock seconds from due to the first copy's arrival, per kind; the latest reminder."""
    late: dict[str, list[float]] = defaultdict(list)
    worst: tuple[float, Post] | None = None
    down = world.downtime
    for post, item in world.due.items():
        got = copies.get(post)
        if got and not (down and down.covers(item)):  # late by the downtime: counted there
            wall = min(a.wall for a, _ in got)
            run = world.runs[_run_at(world, wall)]
            seconds = (run.clock(wall) - item.due).total_seconds()
            late[item.kind].append(seconds)
            if item.kind == "reminder" and (worst is None or seconds > worst[0]):
                worst = (seconds, post)
    every = sorted(s for values in late.values() for s in values)
    reminders = sorted(late.get("reminder", []))
    return {
        "reminder_late_max_s": round(reminders[-1], 1) if reminders else None,
        "reminder_late_p50_s": round(reminders[len(reminders) // 2], 1) if reminders else None,
        "reminder_late_p99_s": round(reminders[len(reminders) * 99 // 100], 1)
        if reminders
        else None,
        "latest_reminder": f"{worst[1][0]} -> {worst[1][1]}" if worst else None,
        "late_max_s_by_kind": {kind: round(max(v), 1) for kind, v in sorted(late.items())},
        "earliest_s": round(every[0], 1) if every else None,  # < 0 would be a mapping error
    }


def _downtime(world: World, copies: dict[Post, list[tuple[Arrival, str]]]) -> dict[str, Any]:
    """What fell in the gap while the bot was off: the posts that go out late (all must
    arrive, counted in due/lost too), those missed as expected (none may arrive), and the
    chats that got two reminders of one session from the catch-up (must be 0)."""
    down = world.downtime
    if down is None:
        return {}
    late = {post: item for post, item in world.due.items() if down.covers(item)}
    gap = {**late, **world.missed}
    reminders = Counter(
        (post[1], item.session)
        for post, item in gap.items()
        if item.kind == "reminder" and copies.get(post)
    )
    covered = sum(sent_late(item, down.back_at) for item in world.missed.values())
    sent_missed = [post for post in world.missed if copies.get(post)]
    lateness = [
        (world.runs[_run_at(world, wall)].clock(wall) - item.due).total_seconds()
        for post, item in late.items()
        if (wall := min((a.wall for a, _ in copies.get(post, [])), default=None)) is not None
    ]
    return {
        "down_from": down.down_from.isoformat(),
        "back_at": down.back_at.isoformat(),
        "due_in_gap": len(gap),
        "late_due": len(late),
        "late_delivered": sum(bool(copies.get(post)) for post in late),
        "late_by_kind": dict(Counter(item.kind for item in late.values())),
        "late_max_s": round(max(lateness), 1) if lateness else None,
        "missed_as_expected": len(world.missed) - len(sent_missed),
        "missed_skipped": len(world.missed) - covered,
        "missed_covered_by_a_nearer_reminder": covered,
        "missed_by_kind": dict(Counter(item.kind for item in world.missed.values())),
        "missed_but_sent": len(sent_missed),
        "two_reminders_one_session": sum(n > 1 for n in reminders.values()),
    }


def _blocked(world: World) -> dict[str, Any]:
    """Sends to each blocked chat after its first 403/404 (must be 0), and the store's view."""
    attempts: dict[tuple[str, str], list[tuple[float, int]]] = defaultdict(list)
    for attempt in world.telegram.observed.attempts + world.discord.observed.attempts:
        attempts[(attempt.platform, attempt.chat)].append((attempt.wall, attempt.status))
    refused, retried = 0, 0
    for ref in world.audience.blocked:
        tries = sorted(attempts.get((ref.platform, ref.id), []))
        first = next((n for n, (_, status) in enumerate(tries) if status in (403, 404)), None)
        if first is not None:
            refused += 1
            retried += len(tries) - first - 1
    database = world.database
    rows = database.rows("SELECT platform, chat_id FROM chats WHERE NOT active")
    (failed,) = database.rows("SELECT count(*) FROM deliveries WHERE status = 'failed'")
    (queued,) = database.rows(
        "SELECT count(*) FROM deliveries WHERE status IN ('pending', 'sending')"
    )
    inactive = {ChatRef(p, c) for p, c in rows}
    return {
        "blocked": len(world.audience.blocked),
        "blocked_refused": refused,
        "sends_after_first_refusal": retried,
        "deactivated_in_store": len(inactive & world.audience.blocked),
        "deactivated_wrongly": len(inactive - world.audience.blocked),
        "store_failed": failed[0],
        "store_still_queued": queued[0],
    }


def table(f: dict[str, Any]) -> str:
    s, led, fakes = f["setup"], f["ledger"], f["fakes"]
    late = led["late_max_s_by_kind"]
    rows = [
        ("due (announcement, recipient)", led["due"]),
        ("delivered", led["delivered"]),
        ("lost", led["lost"]),
        ("duplicates (copies beyond the first)", led["duplicates"]),
        ("  Telegram / Discord", f"{led['duplicates_telegram']} / {led['duplicates_discord']}"),
        ("  from lost answers: Telegram / Discord", " / ".join(
            str(led[f"duplicates_from_lost_answers_{p}"]) for p in ("telegram", "discord"))),
        ("  not explained by an unrecorded copy", led["duplicates_beyond_bound"]),
        ("most copies of one post", led["max_copies"]),
        ("requests open at the fakes at the kills", led["open_requests_at_kills"]),
        ("unrecorded sends: in flight at a kill", led["in_flight_at_kills"]),
        ("unrecorded sends: lost response", led["lost_responses"]),
        ("unrecorded sends: answered after a timeout", led["answers_after_timeout"]),
        ("unrecorded sends: unexplained", led["unrecorded_unexplained"]),
        ("posts that arrived but were not due", led["unexpected"]),
        ("blocked or deleted chats", led["blocked"]),
        ("  refused (403/404)", led["blocked_refused"]),
        ("  deactivated in the store", led["deactivated_in_store"]),
        ("  sends after the first refusal", led["sends_after_first_refusal"]),
        ("chats deactivated that were not blocked", led["deactivated_wrongly"]),
        ("migrated group: due / to old id / to new id", " / ".join(
            str(n) for n in led["migrated_group"].values())),
        ("reminder lateness p50 / p99 / max (clock)", " / ".join(
            _dur(led[f"reminder_late_{p}_s"]) for p in ("p50", "p99", "max"))),
        ("lateness max: preview / start / results", " / ".join(
            _dur(late.get(kind)) for kind in ("preview", "start", "results"))),
        ("faults injected (Telegram)", sum(fakes["telegram_faults"].values())),
        ("faults injected (Discord)", sum(fakes["discord_faults"].values())),
        ("contract violations at the fakes", fakes["violations"]),
        ("429s from the rate limits: Telegram / Discord",
            f"{fakes['telegram_429s_from_limits']} / {fakes['discord_429s_from_limits']}"),
    ]  # fmt: skip
    down = f["downtime"]
    if down:
        rows += [
            (f"downtime {down['down_from'][5:16]} to {down['back_at'][11:16]}: in the gap", down[
                "due_in_gap"]),
            ("  sent late: due / delivered", f"{down['late_due']} / {down['late_delivered']}"),
            ("  missed in downtime, as expected", down["missed_as_expected"]),
            ("    skipped / covered by a nearer reminder", f"{down['missed_skipped']} / "
                f"{down['missed_covered_by_a_nearer_reminder']}"),
            ("  missed yet sent anyway", down["missed_but_sent"]),
            ("  chats with two reminders of a session", down["two_reminders_one_session"]),
            ("  latest of the late posts (clock)", _dur(down["late_max_s"])),
        ]  # fmt: skip
    many = f["multipart"]
    rows += [
        ("long admin post: chats / got every part", f"{many['recipients']} / "
            f"{many['chats_complete']}"),
        ("  messages: Telegram / Discord", f"{many['messages_telegram']} / "
            f"{many['messages_discord']}"),
        ("  chats with a part twice (unexplained)", f"{many['chats_with_a_part_twice']} "
            f"({many['parts_twice_unexplained']})"),
    ]  # fmt: skip
    runs = f["runs"]
    lines = [
        f"Soak: {s['telegram_chats']:,} Telegram chats + {s['discord_channels']:,} Discord "
        f"channels, {s['window'][0][:10]} to {s['window'][1][:10]}, clock {s['speed']:g}x, "
        f"{s['kills']} x {s['kill_signal']}, limits x{s['scale']:g}, "
        f"{s['processes']} bot process{'es' if s['processes'] > 1 else ''} on {s['database']} "
        f"(Python {s['python']}, {s['cpus']} CPUs)",
        "",
        *(f"{name:<42}{value!s:>20}" for name, value in rows),
        "",
        f"{len(runs)} runs of the bot in {f['timing']['stretches']} stretches "
        f"({sum(r['overran'] for r in runs)} reached --until before everything was out); killed:",
        *(
            f"  run {n}: --at {r['at'][:19]}, killed after {r['real_s']} s at clock "
            f"{r['reached'][:19]} ({r['open_requests_at_kill']} requests open at the fakes, "
            f"{r['claimed_unrecorded_at_kill']} deliveries claimed and not recorded)"
            for n, r in enumerate(runs, 1)
            if r["killed"]
        ),
    ]
    lines += [
        f"  kill {n}: process {k['process']} ({k['role']}) at clock {k['clock'][:19]}: "
        f"{k['open_requests']} requests open, {k['claimed_unrecorded']} claimed not recorded"
        + (
            f"; process {k['new_leader_process']}"
            f"{' (restarted)' if k['new_leader_restarted'] else ''} led after "
            f"{_secs(k['took_lead_s'])} and had planned after {_secs(k['planned_s'])}"
            if k["role"] == "leader"
            else ""
        )
        for n, k in enumerate(f.get("kills", []), 1)
    ]
    if f["lost_store_says"]:
        lines.append(f"lost, by what the store says: {f['lost_store_says']}")
    for post in f["lost_posts"][:10]:
        lines.append(
            f"LOST: {post['key']} -> {post['chat']} (due {post['due']}): {post['store_says']}"
        )
    for post in f["duplicated_posts"][:12]:
        lines.append(f"DUPLICATE: {post['key']} -> {post['chat']}: {'; '.join(post['copies'])}")
    lines += [f"UNEXPLAINED: {text}" for text in f["unexplained"]]
    lines.append(
        f"(whole run {f.get('wall_s', '?')} s: store filled in {f['timing']['populate_s']} s, "
        f"replay {f['timing']['replay_s']} s)"
    )
    return "\n".join(lines)


def _secs(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.2f} s"


def _dur(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds / 60:.1f} min"


if __name__ == "__main__":
    sys.exit(main())
