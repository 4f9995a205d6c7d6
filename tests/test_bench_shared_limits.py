"""bench/shared_limits.py on a tiny run: every phase takes every token, the shared ones with
at most one store round trip per send."""

from __future__ import annotations

from bench.shared_limits import _phase


async def test_the_bench_phases_take_every_token_in_batches(postgres_url: str) -> None:
    local = await _phase("local", None, 1, 200.0, 40, 4)
    assert local["local_round_trips_per_send"] == 0
    shared = await _phase("shared", postgres_url, 2, 200.0, 40, 4)
    assert 0 < shared["shared_round_trips_per_send"] <= 1  # never more than one per send
