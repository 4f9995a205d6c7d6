"""bench/processes.py at a tiny size, on the test session's PostgreSQL server: every
configuration (SQLite x1, PostgreSQL x1, x2, x3 worker processes) sends the fan-out to every
chat exactly once, and the JSON line holds every figure. Never a speed."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHATS = 60


def run_bench(url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bench.processes", "--database", url, "--chats", str(CHATS)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )


async def test_every_configuration_sends_each_chat_once(postgres_url: str) -> None:
    done = await asyncio.to_thread(run_bench, postgres_url)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    for name, processes in (("sqlite_1", 1), ("postgresql_1", 1), ("postgresql_2", 2),
                            ("postgresql_3", 3)):  # fmt: skip
        assert figures[f"{name}_sent"] == CHATS
        assert figures[f"{name}_lost"] == 0 and figures[f"{name}_duplicates"] == 0
        assert len(figures[f"{name}_per_process"]) == processes
        assert sum(figures[f"{name}_per_process"]) == CHATS
        assert figures[f"{name}_commands"] >= processes  # each process answered commands
        assert figures[f"{name}_command_p99_ms"] >= figures[f"{name}_command_p50_ms"] >= 0
        assert figures[f"{name}_fanout_per_s"] > 0
    assert "postgresql x3" in done.stdout  # the table
