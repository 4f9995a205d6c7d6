"""bench/fanout.py's audience phases at a small size: every figure is there, under its key."""

from pathlib import Path

from bench._fanout_audience import announce_lines, announce_phase, store_phase
from bot.store import SQLiteStore


async def test_the_audience_phases_report_every_figure(tmp_path: Path) -> None:
    async with SQLiteStore(tmp_path / "bench.db") as store:
        figures = await store_phase(store, 1_200, tmp_path / "raw.db")
        assert len(await store.audience()) == 1_200
        figures |= await announce_phase(store, tmp_path / "bench.db", 1_200)
    assert {"store_100k_s", "store_100k_raw_s", "announce_100k_enqueue_s"} <= set(figures)
    assert figures["announce_100k_raw_insert_s"] >= 0
    # CPU seconds beside the wall ones (issue 11: wall ratios swing with the machine's load).
    for key in (
        "store_100k",
        "store_100k_raw",
        "announce_100k_enqueue",
        "announce_100k_raw_insert",
    ):
        assert figures[f"{key}_cpu_s"] >= 0
    assert {"store_100k_cpu_ratio", "announce_100k_cpu_ratio"} <= set(figures)
    assert figures["announce_100k_commands"] >= 1
    for key in ("announce_100k_command_p50_ms", "announce_100k_command_p99_ms"):
        assert figures[key] >= 0
    figures |= {
        "subscriptions": 1_200,
        "rss_100k_mib": 1.0,
        "rss_before_subscriptions_mib": 1.0,
        "rss_100k_bytes_each": 0,
    }
    assert len(announce_lines(figures)) == 3
