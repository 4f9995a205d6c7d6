"""The soak with several bot processes on one PostgreSQL database (`--processes N`).

N `pitboard run` processes share the soak's schema, each configured as one process of N
(bench/_soak_support.write_config): a process name of its own (its leases), Telegram's webhook
worker n of N (long polling allows one consumer per bot token; webhook workers are how several
processes receive updates) and Discord's shard n of N (discord.py's AutoShardedClient over a
shard range: every process connects to the gateway for its own servers). Every process sends;
one plans and paces the replay clock, which the others follow (bot.scheduling.shared_clock).

In each stretch all N start with the stretch's --at. At seeded moments in the middle of fan-outs
(the same moments as the one-process soak's kills) a process is killed with SIGKILL: the
LEADER (read from the processes' logs: bot.scheduling.leadership logs "this process is the
planning leader") twice and a FOLLOWER once, in a seeded order; the killed process is
restarted at once with the stretch's --at, and its clock picks up the shared one.

What a kill leaves in flight is the killed process's alone: it is stopped (SIGSTOP) first, its
TCP ports read from /proc, and only the fakes' open requests from those ports are counted,
then it is killed; the deliveries it had claimed and not recorded are those of its lease owner
(`soak-bot-n/…`). A later copy of one of those is explained only if it came from one of the
killed process's ports, before that process's restart.

The shared replay clock, as the soak reads it: only the leader logs the moves of the clock
("replay clock at X, runs to Y"), each new leader from where the last publication left it, so
the moves of every log of the stretch, in wall-time order, are the one clock's.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import signal
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench._soak_clock import BotClock
from bench._soak_db import SoakDatabase

if TYPE_CHECKING:
    from bench._soak_support import Arrival, Stretch
    from bench.soak import Kill, Run, World

__all__ = [
    "FOLLOWER",
    "LEADER",
    "SharedBotClock",
    "free_port",
    "kill_figures",
    "kill_roles",
    "next_start",
    "replay_processes",
    "sent_by_killed",
]

LEADER, FOLLOWER = "leader", "follower"
LEADING = "this process is the planning leader"
LOST_LEAD = "planning leadership lost"
PLANNED = "plan: "
_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) \w+ [\w.]+: (.*)$")
STOP_WAIT_S = 30.0
START_WAIT_S = 180.0
# After a leader's kill the stretch is not stopped, even with everything out, until another
# process has taken the lead and planned (or this long has passed, and the figures say so).
TAKEOVER_WAIT_S = 60.0


@dataclass
class SharedBotClock(BotClock):
    """The one replay clock of all the processes of a stretch, from all their logs."""

    parts: list[BotClock] = field(default_factory=list)

    def add(self, log: Path) -> None:
        self.parts.append(BotClock(log, self.at, self.speed))

    def refresh(self) -> None:
        for part in self.parts:
            part.refresh()
        moves = sorted(
            (pair for part in self.parts for pair in zip(part.walls, part.moves, strict=True)),
            key=lambda pair: pair[0],
        )
        self.walls = [wall for wall, _ in moves]
        self.moves = [move for _, move in moves]


def free_port() -> int:
    """A free TCP port of 127.0.0.1 (each process's webhook server listens on its own)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def kill_roles(seed: int, kills: int) -> list[str]:
    """Whom each kill hits, in stretch order: the leader twice and a follower once in every
    three, seeded."""
    roles = ([LEADER, LEADER, FOLLOWER] * (kills // 3 + 1))[:kills]
    random.Random(seed + 1).shuffle(roles)
    return roles


def log_lines(path: Path) -> list[tuple[float, str]]:
    """(wall time, message) of every log line with a timestamp."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return []
    found = []
    for line in text.splitlines():
        match = _LINE.match(line)
        if match:
            wall = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()
            found.append((wall, match.group(2)))
    return found


def leads(run: Run) -> bool:
    """Whether this live process's log says it leads now."""
    said = [m for _, m in log_lines(run.log) if m.startswith((LEADING, LOST_LEAD))]
    return bool(said) and said[-1].startswith(LEADING)


def ports_of(pid: int) -> set[int]:
    """The local TCP ports of a process's sockets (read from /proc while it is stopped)."""
    inodes = set()
    with contextlib.suppress(OSError):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
    ports = set()
    for table in ("tcp", "tcp6"):
        with contextlib.suppress(OSError), open(f"/proc/{pid}/net/{table}") as rows:
            next(rows)
            for row in rows:
                cells = row.split()
                if len(cells) > 9 and cells[9] in inodes:
                    ports.add(int(cells[1].rsplit(":", 1)[1], 16))
    return ports


def claimed_by(database: SoakDatabase, slot: int) -> set[tuple[str, str, str]]:
    """Deliveries process `slot` (any of its runs) had claimed and not recorded."""
    rows = database.rows(
        "SELECT key, platform, chat_id FROM deliveries WHERE status = 'sending'"
        f" AND lease_owner LIKE 'soak-bot-{slot}/%'"
    )
    return {(key, platform, chat) for key, platform, chat in rows}


def sent_by_killed(world: World, arrival: Arrival, run: Run) -> bool:
    """Whether a copy came from the killed process `run` (from one of its ports); always
    True with one process, where no other could have sent it."""
    if not run.ports_at_kill:
        return True
    fake = world.telegram if arrival.platform == "telegram" else world.discord
    return fake.observed.ports.get(arrival.request) in run.ports_at_kill


def next_start(world: World, n: int) -> float:
    """When the process of run `n` was started again (the first that could resend what it
    left claimed at once); infinity if it never was."""
    run = world.runs[n]
    return next((r.spawned for r in world.runs[n + 1 :] if r.slot == run.slot), float("inf"))


async def replay_processes(world: World, plan_: list[Stretch], kills: dict[int, Kill]) -> None:
    roles = dict(zip(sorted(kills), kill_roles(world.args.seed, len(kills)), strict=True))
    rng = random.Random(world.args.seed + 2)
    for n, stretch in enumerate(plan_):
        clock = SharedBotClock(world.tmp / "no-log", stretch.at, world.args.speed)
        live: dict[int, Run] = {}
        try:
            for slot in range(world.args.processes):
                live[slot] = await _start(world, stretch, slot, clock)
            origin = await _clock_started(clock, live)
            for run in live.values():
                run.origin = origin
            await _supervise(world, live, stretch, clock, kills.get(n), roles.get(n), rng)
        finally:
            for run in live.values():
                if run.proc is not None and run.proc.returncode is None:
                    run.proc.kill()  # only when this benchmark fails: no bot is left behind
                    await run.proc.wait()


async def _start(world: World, stretch: Stretch, slot: int, clock: SharedBotClock) -> Run:
    from bench import soak

    run = await soak.spawn(world, stretch.at, stretch.until, slot=slot)
    clock.add(run.log)
    run.bot_clock = clock
    return run


async def _clock_started(clock: SharedBotClock, live: dict[int, Run]) -> float:
    deadline = time.time() + START_WAIT_S
    while time.time() < deadline:
        clock.refresh()
        if clock.started is not None:
            return clock.started
        for run in live.values():
            if run.proc is not None and run.proc.returncode is not None:
                raise RuntimeError(f"a bot process exited at start; see {run.log}")
        await asyncio.sleep(0.01)
    raise RuntimeError(f"no bot process started the clock; see {next(iter(live.values())).log}")


async def _supervise(
    world: World,
    live: dict[int, Run],
    stretch: Stretch,
    clock: SharedBotClock,
    kill: Kill | None,
    role: str | None,
    rng: random.Random,
) -> None:
    """Until everything due in the stretch is out (SIGTERM to all) or the processes reached
    --until; with a kill planned, kill `role` once in the middle of the fan-out."""
    from bench import soak

    observed = (world.telegram.observed, world.discord.observed)
    keys = {key for (key, _), item in world.due.items() if item.due <= stretch.last_due}
    checked, baseline, stopped = 0.0, None, False
    # A leader killed at `leader_killed`: the stretch waits for a successor before stopping. A
    # kill can come when the fan-out is already out (a quick machine), and stopping then left
    # no time for another process to lead: the takeover went unmeasured.
    leader_killed: float | None = None
    while any(r.proc is not None and r.proc.returncode is None for r in live.values()):
        clock.refresh()
        now = clock.reading(time.time())
        if not world.quiet_done and now >= world.quiet:
            soak.block_and_migrate(world)
        arrived = sum(len(o.arrivals) for o in observed)
        if kill is not None and now >= kill.moment and baseline is None:
            baseline = arrived
        is_drained = False
        if now >= stretch.last_due and time.time() - checked > 0.1:
            checked = time.time()
            is_drained = soak.drained(world.database, keys)
        if (
            kill
            and role
            and baseline is not None
            and (arrived - baseline >= kill.after or is_drained)
        ):
            victim = _victim(live, role, rng)
            if victim is not None:  # else between two leaders: the next look finds one
                await _kill(world, victim, role)
                if role == LEADER:
                    leader_killed = victim.ended
                live[victim.slot] = await _start(world, stretch, victim.slot, clock)
                live[victim.slot].origin = live[victim.slot].spawned
                kill = None
                continue
        if is_drained and leader_killed is not None:
            if _led_and_planned_since(live.values(), leader_killed) or (
                time.time() > leader_killed + TAKEOVER_WAIT_S
            ):
                leader_killed = None
            else:
                is_drained = False
        if is_drained:
            stopped = True
            await _stop_all(live)
            break
        for run in live.values():
            code = run.proc.returncode if run.proc is not None else None
            if code not in (None, 0):
                raise RuntimeError(f"a bot process exited with {code}; see {run.log}")
        await asyncio.sleep(0.01)
    for run in live.values():
        run.ended = time.time()
        run.overran = not stopped


def _led_and_planned_since(runs: Iterable[Run], since: float) -> bool:
    """Whether a process's log says it took the lead after `since`, and planned after that."""
    for run in runs:
        lines = log_lines(run.log)
        took = next(
            (wall for wall, text in lines if wall > since and text.startswith(LEADING)), None
        )
        if took is not None and any(w >= took and t.startswith(PLANNED) for w, t in lines):
            return True
    return False


def _victim(live: dict[int, Run], role: str, rng: random.Random) -> Run | None:
    running = [r for _, r in sorted(live.items()) if r.proc and r.proc.returncode is None]
    leaders = [r for r in running if leads(r)]
    if len(leaders) != 1:
        return None
    if role == LEADER:
        return leaders[0]
    followers = [r for r in running if r is not leaders[0]]
    return rng.choice(followers) if followers else None


async def _kill(world: World, run: Run, role: str) -> None:
    """SIGSTOP, note what it has in flight at the fakes (its own ports' open requests),
    SIGKILL; then read what it had claimed and not recorded."""
    proc = run.proc
    assert proc is not None
    observed = (world.telegram.observed, world.discord.observed)
    proc.send_signal(signal.SIGSTOP)
    run.ports_at_kill = ports_of(proc.pid)
    # No await in between: no fake's handler has moved since the process stopped.
    run.open_at_kill = {
        number for o in observed for number in o.open if o.ports.get(number) in run.ports_at_kill
    }
    proc.send_signal(signal.SIGKILL)
    run.ended, run.killed, run.role = time.time(), True, role
    await proc.wait()
    run.unrecorded_at_kill = claimed_by(world.database, run.slot)


async def _stop_all(live: dict[int, Run]) -> None:
    running = [r for r in live.values() if r.proc is not None and r.proc.returncode is None]
    for run in running:
        assert run.proc is not None
        run.proc.send_signal(signal.SIGTERM)
    for run in running:
        assert run.proc is not None
        try:
            await asyncio.wait_for(run.proc.wait(), STOP_WAIT_S)
        except TimeoutError:
            run.proc.send_signal(signal.SIGKILL)
            raise RuntimeError(f"a bot process did not stop on SIGTERM; see {run.log}") from None
        if run.proc.returncode not in (0, -signal.SIGTERM):
            raise RuntimeError(f"a bot process exited with {run.proc.returncode}; see {run.log}")


def kill_figures(world: World) -> list[dict[str, Any]]:
    """Per kill: which process, leader or follower, the clock then, what it left in flight,
    and (a leader) how long until another process led and had planned."""
    events = {n: log_lines(run.log) for n, run in enumerate(world.runs)}
    figures = []
    for n, run in enumerate(world.runs):
        if not run.killed:
            continue
        took: tuple[float, int] | None = None
        planned = None
        if run.role == LEADER:
            took = min(
                (
                    (wall, m)
                    for m, lines in events.items()
                    for wall, text in lines
                    if text.startswith(LEADING) and wall > run.ended
                ),
                default=None,
            )
            if took is not None:
                planned = next(
                    (w for w, text in events[took[1]] if w >= took[0] and text.startswith(PLANNED)),
                    None,
                )
        figures.append(
            {
                "run": n + 1,
                "process": run.slot,
                "role": run.role,
                "clock": run.clock(run.ended).isoformat(),
                "open_requests": len(run.open_at_kill),
                "claimed_unrecorded": len(run.unrecorded_at_kill),
                "new_leader_process": world.runs[took[1]].slot if took else None,
                # The killed process itself, started again, won the lead back.
                "new_leader_restarted": took is not None and world.runs[took[1]].slot == run.slot,
                "took_lead_s": round(took[0] - run.ended, 2) if took else None,
                "planned_s": round(planned - run.ended, 2) if planned is not None else None,
            }
        )
    return figures
