"""The multi-process soak in short (bench/soak.py --processes): the Hockenheim weekend replayed by
two real `pitboard run` processes on one PostgreSQL database, against the fake Telegram and
Discord under injected faults, the leader and a follower killed with SIGKILL in the middle of
fan-outs and restarted. The full run is `python -m bench.soak --processes 3 --database …`.

Every figure comes from the ledger the soak builds from what the fakes received; nothing here
is timed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bench.soak import parse, soak

ARGS = ["--quick", "--processes", "2", "--telegram-chats", "90", "--discord-channels", "9"]


@pytest.fixture(scope="module")
def figures(postgres_url: str) -> dict[str, Any]:
    return asyncio.run(soak(parse([*ARGS, "--database", postgres_url])))


def test_the_leader_and_a_follower_were_killed_and_another_process_took_the_lead(
    figures: dict[str, Any],
) -> None:
    kills = figures["kills"]
    assert figures["setup"]["processes"] == 2
    roles = sorted(kill["role"] for kill in kills)
    assert "leader" in roles and "follower" in roles, kills
    for kill in kills:
        if kill["role"] == "leader":
            # A process led again, and planned, after each leader's death.
            assert kill["new_leader_process"] is not None, kill
            assert kill["planned_s"] is not None, kill


def test_nothing_is_lost_and_every_duplicate_was_in_flight_at_a_kill_or_lost_its_answer(
    figures: dict[str, Any],
) -> None:
    ledger = figures["ledger"]
    assert ledger["lost"] == 0, figures["lost_posts"]
    assert ledger["delivered"] == ledger["due"] > 300
    assert ledger["unexpected"] == 0, figures["unexpected_posts"]
    assert ledger["unrecorded_unexplained"] == 0, figures["unexplained"]
    assert ledger["duplicates_beyond_bound"] == 0, figures["duplicated_posts"]
    # What a kill left in flight is the killed process's own: its open requests at the fakes
    # and its claimed, unrecorded deliveries, never the live processes' sends.
    in_flight_at_most = sum(k["open_requests"] + k["claimed_unrecorded"] for k in kills(figures))
    assert ledger["in_flight_at_kills"] <= in_flight_at_most
    assert figures["multipart"]["parts_twice_unexplained"] == 0


def test_the_processes_together_kept_to_the_platforms_limits(figures: dict[str, Any]) -> None:
    fakes = figures["fakes"]
    assert fakes["telegram_429s_from_limits"] == 0
    assert fakes["discord_429s_from_limits"] == 0
    assert fakes["violations"] == 0, fakes["violation_examples"]


def kills(figures: dict[str, Any]) -> list[dict[str, Any]]:
    return list(figures["kills"])
