"""bench/web.py runs end to end: every target answered 200, one JSON line with every figure."""

from __future__ import annotations

import json

from bench import web as bench_web


def test_the_web_benchmark_measures_every_target_and_the_baseline(capsys):
    assert bench_web.main(["--seconds", "0.2", "--concurrency", "2"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    figures = json.loads(last)
    names = ["baseline", *(target.name for target in bench_web.TARGETS)]
    for name in names:
        found = figures[f"web_{name}"]
        assert found["requests"] > 0 and found["errors"] == 0, name
        assert found["p99_ms"] >= found["p50_ms"] > 0
