"""The Telegram benchmark runs end to end in its tiny configuration and reports every figure."""

from __future__ import annotations

import json

from bench import telegram

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


def test_the_quick_benchmark_prints_a_table_then_one_json_line(capsys):
    assert telegram.main(["--quick"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
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
