"""The Telegram benchmark runs end to end in its tiny configuration and reports every figure."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

import pytest

from bench import telegram
from bench._telegram_support import COMMAND_FIRST_ID
from tests.fakes.telegram_api import FakeTelegram

PER_BOT = {"commands", "fanout", "during_fanout", "burst"}
BURST = {
    "idle_p99_ms",
    "other_fans_p99_ms",
    "other_fans_ratio",
    "burst_fan_replies",
    "burst_fan_answers",
    "burst_fan_slow_down",
}
LATENCY = {"n", "p50_ms", "p99_ms", "max_ms", "wrong", "lost"}
FANOUT = {
    "delivered",
    "seconds",
    "first_ms",
    "rate",
    "rate_ratio",
    "429s",
    "gave_up",
    "chats_reached",
    "missing",
    "duplicates",
}


@dataclass
class QuickRun:
    out: list[str]
    # Every command a fan sent during the run, in order: (the fake it went to, its chat).
    pushes: list[tuple[FakeTelegram, int]] = field(default_factory=list)


@pytest.fixture(scope="module")
def quick_run() -> Iterator[QuickRun]:
    """One `--quick` run for the whole module, watching which fake each fan's command reached
    (the real push_message still runs: the wrapper only writes down the order)."""
    pushes: list[tuple[FakeTelegram, int]] = []
    push = FakeTelegram.push_message

    def recorded(self: FakeTelegram, chat_id: int, text: str, **kwargs: Any) -> dict[str, Any]:
        pushes.append((self, chat_id))
        return push(self, chat_id, text, **kwargs)

    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(printed):
        patch.setattr(FakeTelegram, "push_message", recorded)
        assert telegram.main(["--quick"]) == 0
    yield QuickRun(printed.getvalue().strip().splitlines(), pushes)


def test_the_quick_benchmark_prints_a_table_then_one_json_line(quick_run):
    out = quick_run.out
    assert any(line.startswith("metric") and "Pitboard" in line for line in out)
    figures = json.loads(out[-1])

    assert figures["benchmark"] == "telegram"
    assert {"rate_limit", "chats", "ratios", "subscribe_s", "wall_s"} <= set(figures)
    assert {"other_fans_p99_ms", "other_fans_ratio"} <= set(figures)
    assert {"command_429s", "baseline_command_429s"} <= set(figures)
    fanout_keys = {"fanout_ratio", "fanout_limit_share", "baseline_fanout_limit_share"}
    assert fanout_keys | {"fanout_429s", "baseline_fanout_429s"} <= set(figures)
    assert figures["fanout_limit_share"] == figures["pitboard"]["fanout"]["rate_ratio"]
    chats = figures["chats"]
    for bot in ("pitboard", "baseline"):
        results = figures[bot]
        assert set(results) >= PER_BOT
        assert set(results["commands"]) >= LATENCY
        assert set(results["fanout"]) >= FANOUT
        commands = results["commands"]
        # Every fan got the right answer in every measured round.
        assert (commands["wrong"], commands["lost"]) == (0, 0)
        assert commands["n"] == figures["command_chats"] * figures["rounds"]
        assert 0 < commands["p50_ms"] <= commands["p99_ms"] <= commands["max_ms"]
        during = results["during_fanout"]
        assert during["n"] >= 1 and (during["wrong"], during["lost"]) == (0, 0)
        burst = results["burst"]
        assert set(burst) >= BURST
        # Every other fan got the right answer while one fan sent ten commands at once.
        assert burst["other_fans"]["n"] == 20 and burst["other_fans"]["lost"] == 0
        assert burst["burst_fan_answers"] >= 1
        fanout = results["fanout"]
        assert fanout["delivered"] == fanout["chats_reached"] + fanout["duplicates"]
        assert fanout["chats_reached"] + fanout["missing"] == chats
        assert fanout["rate"] > 0 and fanout["seconds"] > 0

    # Pitboard's fan-out reaches every subscribed chat exactly once, whatever the 429s.
    pitboard = figures["pitboard"]
    assert figures["other_fans_p99_ms"] == pitboard["burst"]["other_fans_p99_ms"]
    # The busy fan's commands are all accounted for: answered, or told to slow down.
    busy = pitboard["burst"]
    assert busy["burst_fan_answers"] + busy["burst_fan_slow_down"] == busy["burst_fan_replies"]
    assert pitboard["recipients"] == chats
    assert (pitboard["fanout"]["chats_reached"], pitboard["fanout"]["duplicates"]) == (chats, 0)
    # The baseline's loop accounts for every chat: sent, given up on, or failed otherwise.
    baseline = figures["baseline"]["fanout"]
    assert baseline["delivered"] + baseline["gave_up"] + baseline["failed"] == chats
    assert set(figures["ratios"]) >= {"command_p50", "fanout_rate"}
    # The loop once more with no global limit anywhere: every chat reached, no 429 (a chat's own
    # limit cannot be met by one message each), its share the headline's bare_loop_limit_share.
    bare = figures["bare_loop"]
    assert (bare["chats_reached"], bare["duplicates"], bare["429s"]) == (chats, 0, 0)
    assert figures["bare_loop_limit_share"] == bare["rate_ratio"] > 0
    assert any("no global limit anywhere" in line for line in out)
    # Issue 11's headline: the idle command round trip's p50 against the baseline's.
    p50s = figures["pitboard"]["commands"]["p50_ms"], figures["baseline"]["commands"]["p50_ms"]
    assert figures["command_ratio"] == round(p50s[0] / p50s[1], 2)
    assert any("(command_ratio)" in line for line in out)


def test_the_command_rounds_of_the_two_bots_alternate_each_warming_up_first(quick_run):
    figures = json.loads(quick_run.out[-1])
    fans = figures["command_chats"]
    command_chats = range(COMMAND_FIRST_ID, COMMAND_FIRST_ID + fans)
    # The command phase: every fan's command until the first one to another chat (the burst).
    phase = []
    for fake, chat in quick_run.pushes:
        if chat not in command_chats:
            break
        phase.append(fake)
    # Pitboard's fake is the one that got the real answers, the baseline's the fixed text.
    pitboard = next(fake for fake in phase if _answered_tcr(fake))
    rounds = [(fake is pitboard, len(list(pushes))) for fake, pushes in groupby(phase)]
    # A warm-up round each (Pitboard's, then the baseline's), then the measured rounds
    # alternating the same way; every round asks every fan once.
    expected = [(True, fans), (False, fans)] * (figures["rounds"] + 1)
    assert rounds == expected


def _answered_tcr(fake: FakeTelegram) -> bool:
    return any("ADAC TCR Germany 2022" in message.text for message in fake.all_sent())


def test_the_probe_commands_take_one_percent_of_the_limit_unless_told_otherwise(quick_run):
    assert telegram.parse([]).probe_every == pytest.approx(0.5)  # the default 200/s
    assert telegram.parse(["--rate", "400"]).probe_every == pytest.approx(0.25)
    assert telegram.parse(["--rate", "30"]).probe_every == pytest.approx(100 / 30)
    assert telegram.parse(["--rate", "400", "--probe-every", "0.2"]).probe_every == 0.2
    # The quick run (200/s) asked at the default pace too.
    assert json.loads(quick_run.out[-1])["probe_every_s"] == pytest.approx(0.5)
    with pytest.raises(SystemExit):
        telegram.parse(["--probe-every", "0"])


def test_the_defaults_are_the_rate_where_the_limit_binds_and_six_rounds_per_bot():
    args = telegram.parse([])
    assert (args.rate, args.rounds) == (200.0, 6)


def test_the_regime_line_says_whether_the_limit_bound_or_the_cpu():
    quick = telegram.regime_line(1.5)
    assert quick == "the loop alone runs at 1.50x the limit: the limit binds"
    slow = telegram.regime_line(0.83)
    assert slow.startswith("the loop alone runs at 0.83x the limit, below the limit: ")
    assert "this run measured the CPU, not the limit" in slow
    assert "fanout_ratio is bounded by 0.99 / 0.83 = 1.19" in slow
    assert (telegram.limit_binds(1.5), telegram.limit_binds(0.83)) == (True, False)


def test_the_table_says_the_regime_of_the_run(quick_run):
    figures = json.loads(quick_run.out[-1])
    share = figures["bare_loop_limit_share"]
    assert figures["limit_binds"] == (share > 1)
    assert telegram.regime_line(share) in quick_run.out
