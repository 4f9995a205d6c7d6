"""Kill -9 in the middle of a fan-out, restart, and prove from the platform's log that nobody
missed the post and that only sends in flight at the kill were repeated."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from bot.store import DeliveryStatus, SQLiteStore
from tests.delivery.crash_worker import KEY

WORKER = Path(__file__).with_name("crash_worker.py")
RECIPIENTS = 2000
RATE = 400  # sends a second: the whole fan-out takes about 5 s


def spawn(db: Path, log: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), str(db), str(log), "--recipients", str(RECIPIENTS),
         "--rate", str(RATE)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def received(log: Path) -> list[str]:
    return log.read_text().split() if log.exists() else []


async def in_flight(db: Path) -> tuple[dict[DeliveryStatus, int], set[str]]:
    async with SQLiteStore(db) as store:
        deliveries = await store.deliveries(KEY)
        counts = await store.delivery_counts(KEY)
    return counts, {d.chat.id for d in deliveries if d.status is DeliveryStatus.SENDING}


def test_a_fan_out_killed_midway_resumes_without_losing_anyone(tmp_path):
    db, log = tmp_path / "pitboard.db", tmp_path / "platform.log"

    worker = spawn(db, log)
    deadline = time.monotonic() + 15
    while len(received(log)) < 800:
        assert worker.poll() is None, f"the worker ended early: {worker.communicate()}"
        assert time.monotonic() < deadline, "the worker sent too little in 15 s"
        time.sleep(0.005)
    os.kill(worker.pid, signal.SIGKILL)
    worker.communicate()
    assert worker.returncode == -signal.SIGKILL

    at_kill = received(log)
    counts, sending = asyncio.run(in_flight(db))
    assert 500 <= len(at_kill) <= 1500
    assert counts[DeliveryStatus.SENT] + counts[DeliveryStatus.SENDING] >= len(at_kill)
    # Whatever the platform got that the store does not know as sent is still in flight.
    assert len(set(at_kill)) - counts[DeliveryStatus.SENT] <= len(sending)

    for _ in range(3):
        rerun = spawn(db, log)
        out, err = rerun.communicate(timeout=20)
        if rerun.returncode == 0:
            break
    assert rerun.returncode == 0, err
    assert "done: sent=" in out

    copies = Counter(received(log))
    assert set(copies) == {str(n) for n in range(1, RECIPIENTS + 1)}  # nobody missed it
    duplicated = {chat for chat, n in copies.items() if n > 1}
    assert sum(copies.values()) - RECIPIENTS <= len(sending)
    # Only a send in flight at the kill, that the platform had already got, can repeat ...
    assert duplicated <= sending & set(at_kill)
    print(f"received at kill {len(at_kill)}, in flight {len(sending)}, repeated {len(duplicated)}")
    assert max(copies.values()) <= 2  # ... and only once
    final, still_sending = asyncio.run(in_flight(db))
    assert final[DeliveryStatus.SENT] == RECIPIENTS and not still_sending
