"""The "burst" phase of bench/telegram.py: one fan sends ten commands at once, twenty others one
each. Does the busy fan slow the others down?

Each bot answers a chat at most once a second (Telegram's limit, enforced by the fake), so the
busy fan's replies take ten seconds whatever the bot does. What matters is the others: their
latency during the burst against their latency with nobody bursting (the idle figure, measured
in the same run, by the same fans, just before). The busy fan's replies are counted too: its
answers, and Pitboard's "slow down" if its per-fan throttle (a burst of five, then one a second)
ever refuses one of them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from bench._stats import Latencies
from bench._telegram_support import COMMANDS, ask
from tests.fakes.telegram_api import FakeTelegram

BURST_FAN = 700_001
OTHER_FANS = range(700_101, 700_121)
BURST_COMMANDS = 10
IDLE_ROUNDS = 3
QUIET_S = 3.0  # the busy fan's replies are counted until none came for this long
BURST_DEADLINE_S = 30.0
SLOW_DOWN = "Slow down"  # Pitboard's throttle, once, before it drops a fan's excess commands


async def burst_phase(fake: FakeTelegram, expected: Callable[[str], str]) -> dict[str, Any]:
    command = COMMANDS[1][0]  # /next: the commonest question
    want = expected(command)
    idle = Latencies()
    for number in range(IDLE_ROUNDS + 1):  # round 0 warms up: chats created
        this_round = Latencies()
        await _everyone_asks(fake, command, want, this_round)
        if number > 0:
            idle.add(this_round)
        await asyncio.sleep(1.1)  # below every chat's limit of one a second
    before = len(fake.sent(BURST_FAN))
    for _ in range(BURST_COMMANDS):
        fake.push_message(BURST_FAN, command)
    others = Latencies()
    await _everyone_asks(fake, command, want, others)
    replies = await _count_until_quiet(fake, before)
    idle_p99 = idle.figures()["p99_ms"]
    other_p99 = others.figures()["p99_ms"]
    return {
        "idle": idle.figures(),
        "other_fans": others.figures(),
        "idle_p99_ms": idle_p99,
        "other_fans_p99_ms": other_p99,
        "other_fans_ratio": round(other_p99 / idle_p99, 2) if other_p99 and idle_p99 else None,
        "burst_commands": BURST_COMMANDS,
        "burst_fan_replies": len(replies),
        "burst_fan_answers": sum(1 for text in replies if want in text),
        "burst_fan_slow_down": sum(1 for text in replies if SLOW_DOWN in text),
    }


async def _everyone_asks(fake: FakeTelegram, command: str, want: str, into: Latencies) -> None:
    await asyncio.gather(*(ask(fake, fan, command, want, into) for fan in OTHER_FANS))


async def _count_until_quiet(fake: FakeTelegram, before: int) -> list[str]:
    """The busy fan's replies: wait until none has come for QUIET_S seconds."""
    deadline = time.perf_counter() + BURST_DEADLINE_S
    seen = len(fake.sent(BURST_FAN))
    last_change = time.perf_counter()
    while time.perf_counter() - last_change < QUIET_S and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
        now_seen = len(fake.sent(BURST_FAN))
        if now_seen != seen:
            seen, last_change = now_seen, time.perf_counter()
    return [message.text for message in fake.sent(BURST_FAN)[before:]]
