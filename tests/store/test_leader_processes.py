"""Real bot processes (`pitboard run`, the terminal front-end) on one PostgreSQL database: one
plans, the other stands by; killed with SIGKILL, the leader is replaced by the other, which
takes the lead without a restart. Waited for in the processes' logs, never timed."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

from bot.store.postgres import PostgresStore

from .test_postgres_run import in_schema

ROOT = Path(__file__).resolve().parents[2]
LEADING = "this process is the planning leader"
PATIENCE = 120.0


def start_bot(folder: Path, url: str, name: str) -> subprocess.Popen[str]:
    folder.mkdir()
    config = folder / "config.toml"
    config.write_text(
        f'[general]\ndatabase = "{folder / "unused.sqlite3"}"\n'
        f'[database]\nprocess_name = "{name}"\n',
        encoding="utf-8",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(config), "run", "--log-level", "info"],
        stdin=subprocess.PIPE,  # kept open: the terminal bot runs until its input ends
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "DATABASE_URL": url},
    )


def log_of(folder: Path) -> str:
    path = folder / "pitboard.log"  # beside the configured database (bot.app)
    return path.read_text(encoding="utf-8") if path.exists() else ""


def planned_after_leading(log: str) -> bool:
    return LEADING in log and "plan:" in log.split(LEADING, 1)[1]


async def until(condition: Callable[[], bool]) -> None:
    async def poll() -> None:
        while not condition():  # noqa: ASYNC110 - another process's log signals nothing
            await asyncio.sleep(0.1)

    await asyncio.wait_for(poll(), PATIENCE)


async def test_a_killed_leader_is_replaced_by_the_running_standby(
    postgres_url: str, tmp_path: Path
) -> None:
    schema = f"test_{uuid.uuid4().hex[:16]}"
    async with PostgresStore(postgres_url, schema=schema):
        pass  # migrated once, before both start
    url = in_schema(postgres_url, schema)
    first = start_bot(tmp_path / "first", url, "first")
    second: subprocess.Popen[str] | None = None
    try:
        await until(lambda: LEADING in log_of(tmp_path / "first"))
        second = start_bot(tmp_path / "second", url, "second")
        await until(lambda: "delivery started" in log_of(tmp_path / "second"))
        assert LEADING not in log_of(tmp_path / "second")  # the first still leads
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=PATIENCE)
        # Leads and then plans: the plan's line is written after the lead's, so both are
        # waited for (asserting the plan right after the lead raced a busy machine).
        await until(lambda: planned_after_leading(log_of(tmp_path / "second")))
        assert second.poll() is None  # took over while running, no restart
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                assert process.stdin is not None
                process.stdin.close()  # the terminal's input ends: the bot stops
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()
