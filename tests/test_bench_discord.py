"""The Discord benchmark runs end to end in its tiny configuration and reports every figure."""

from __future__ import annotations

import json

from bench import discord as bench_discord

SIDES = {"interactions", "fanout"}
LATENCY = {"n", "p50_ms", "p99_ms", "max_ms", "wrong", "lost"}
FANOUT = {
    "posts",
    "channels_reached",
    "missing",
    "duplicates",
    "seconds",
    "wall_s",
    "first_ms",
    "rate",
    "rate_ratio",
    "429s",
}
RATIOS = {
    "one_by_one_p50",
    "one_by_one_p99",
    "concurrent_p50",
    "concurrent_p99",
    "fanout_rate",
    "fanout_seconds",
    "fanout_429s",
}


def test_the_quick_benchmark_prints_a_table_then_one_json_line(capsys):
    assert bench_discord.main(["--quick"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert any(line.startswith("metric") and "Pitboard" in line for line in out)
    figures = json.loads(out[-1])

    assert figures["benchmark"] == "discord"
    assert figures["fanouts_at_once"] is True  # the baseline ran in its worker process
    assert {"rate_limit", "channels", "subscribe_s", "wall_s", "cpus"} <= set(figures)
    assert set(figures["ratios"]) == RATIOS
    headline = {"fanout_limit_share", "baseline_fanout_limit_share", "fanout_429s"}
    assert headline | {"baseline_fanout_429s"} <= set(figures)
    assert figures["fanout_429s"] == figures["pitboard"]["fanout"]["429s"]
    # Issue 11's headline: one interaction at a time, p50, against the baseline's.
    p50s = [
        figures[bot]["interactions"]["sequential"]["p50_ms"] for bot in ("pitboard", "baseline")
    ]
    assert figures["command_ratio"] == round(p50s[0] / p50s[1], 2)
    assert any("(command_ratio)" in line for line in out)
    channels = figures["channels"]
    for bot in ("pitboard", "baseline"):
        results = figures[bot]
        assert set(results) >= SIDES
        interactions = results["interactions"]
        for kind, expected in (
            ("sequential", figures["one_by_one"]),
            ("concurrent", figures["concurrency"] * figures["batches"]),
        ):
            timed = interactions[kind]
            assert set(timed) == LATENCY
            # Every interaction got the right answer, and every one was timed.
            assert (timed["wrong"], timed["lost"], timed["n"]) == (0, 0, expected)
            assert 0 < timed["p50_ms"] <= timed["p99_ms"] <= timed["max_ms"]
        fanout = results["fanout"]
        assert set(fanout) >= FANOUT
        assert fanout["posts"] == fanout["channels_reached"] + fanout["duplicates"]
        assert fanout["channels_reached"] + fanout["missing"] == channels
        assert fanout["rate"] > 0 and fanout["seconds"] > 0
        assert abs(fanout["rate_ratio"] - fanout["rate"] / figures["rate_limit"]) < 0.01

    # Pitboard's broadcast reaches every subscribed channel exactly once, nothing left over.
    pitboard = figures["pitboard"]
    assert pitboard["recipients"] == channels
    fanout = pitboard["fanout"]
    assert (fanout["channels_reached"], fanout["duplicates"]) == (channels, 0)
    assert (fanout["gave_up"], fanout["still_queued"]) == (0, 0)
    # The baseline's loop accounts for every channel: sent or failed.
    baseline = figures["baseline"]["fanout"]
    assert baseline["sent"] + baseline["failed"] == channels
    assert baseline["posts"] == baseline["sent"]
