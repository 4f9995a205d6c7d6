"""discord.shard_count / discord.shard_ids: validated, ids within the count."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_config
from tests.test_config import problems_of, write


def test_a_process_may_run_a_range_of_the_bots_shards(tmp_path: Path) -> None:
    path = write(tmp_path, "[discord]\nshard_count = 4\nshard_ids = [2, 3]\n")
    config = load_config(path, {})
    assert (config.discord.shard_count, config.discord.shard_ids) == (4, (2, 3))


def test_no_shard_ids_means_every_shard_and_no_count_means_unsharded(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "[discord]\nshard_count = 3\n"), {}).discord.shard_ids == ()
    assert load_config(None, {}).discord.shard_count == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("shard_count = 2\nshard_ids = [0, 2]", "discord.shard_ids: must be below shard_count (2)"),
        ("shard_count = 2\nshard_ids = [1, 1]", "discord.shard_ids: lists shard 1 more than once"),
        ("shard_ids = [0]", "discord.shard_ids: needs discord.shard_count"),
        ("shard_count = 2\nshard_ids = [-1]", "discord.shard_ids: must be at least 0"),
        ("shard_count = -1", "discord.shard_count: must be at least 0"),
        ('shard_count = "two"', "discord.shard_count"),
    ],
)
def test_shards_outside_the_count_are_named(tmp_path: Path, text: str, expected: str) -> None:
    problems = problems_of(write(tmp_path, f"[discord]\n{text}\n"))
    assert any(expected in problem for problem in problems), problems
