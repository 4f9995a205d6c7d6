"""The edit-to-post benchmark runs end to end in its tiny configuration, and its figures add up:
every edit's post reached every fan once, and so did every broadcast (never a speed)."""

from __future__ import annotations

import json

from bench import edit_to_post

HEADLINE = {
    "edit_to_first_post_ms_p50",
    "edit_to_last_post_ms_p50",
    "baseline_ms_p50",
    "ratio",
    "one_fan_edit_to_post_ms_p50",
    "one_fan_baseline_ms_p50",
    "one_fan_ratio",
}
PER_SIZE = {
    "edits",
    "edit_call_ms_p50",
    "edit_to_first_post_ms_p50",
    "edit_to_last_post_ms_p50",
    "baseline_first_ms_p50",
    "baseline_ms_p50",
    "ratio",
}


def test_the_quick_benchmark_prints_a_table_then_one_json_line(capsys) -> None:
    assert edit_to_post.main(["--quick"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[0].startswith("scenario") and any(line.startswith("move ") for line in out)
    figures = json.loads(out[-1])

    assert figures["benchmark"] == "edit_to_post"
    assert figures["edit_path"].startswith("Editor.apply")  # the API every front-end uses
    assert set(figures) >= HEADLINE
    fans, reps = figures["fans"], figures["reps"]
    assert (fans, reps) == (3, 1)
    scenarios = figures["scenarios"]
    assert set(scenarios) == {"move", "results"}
    for by_size in scenarios.values():
        assert set(by_size) == {"fans_1", "fans_3"}
        for summary in by_size.values():
            assert set(summary) >= PER_SIZE and summary["edits"] == reps
            # Every edit's post arrived, so every figure is there and ordered.
            assert summary["edit_to_first_post_ms_p50"] <= summary["edit_to_last_post_ms_p50"]
            assert summary["baseline_first_ms_p50"] <= summary["baseline_ms_p50"]
    # Two scenarios, one and three fans, one repetition each: each fan got each post exactly once.
    edits = 2 * 2 * reps
    assert figures["edits"] == edits
    expected = 2 * reps * (1 + fans)
    for counts in (figures["posts"], figures["baseline_posts"]):
        assert counts == {
            "posts_expected": expected,
            "posts_arrived": expected,
            "missing": 0,
            "duplicates": 0,
            "other_posts": 0,
        }
    # The ratio pairs each edit with its own broadcast; with every post in, there is one.
    assert figures["ratio"] is not None and figures["one_fan_ratio"] is not None
