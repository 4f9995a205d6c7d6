"""Benchmark: from an operator's edit to the post reaching the fans' chats.

    PYTHONPATH=. .venv/bin/python -m bench.edit_to_post [--fans 200] [--reps 5] [--rate 1000]
        [--via editor|file] [--quick]

The real bot (Runtime: store, announcer, delivery engine, the python-telegram-bot front-end)
runs on a temporary copy of the bundled schedules against the fake Telegram Bot API
(tests/fakes/telegram_api.py, Telegram's limits with the global one scaled to --rate), with
1 and then --fans private chats following a driver. Two edits a press office makes:

- move: Friday morning of the Hankook 12h Hockenheimring (the preview is out), Qualifying moves
  from 19:05 to 19:35: Andreas Bäckman's fans get the "time changed" post;
- results: the Sunday morning after Race 1 at Oschersleben, Race 1's result is entered (the
  copy starts without it): Jessica Bäckman's fans get the results post.

The edit goes through the Editor API an admin's /edit uses (`runtime.editor.apply`, as a
Telegram admin: validate with the new text overlaid, audit row, atomic write, reload through the
running ScheduleReloader, whose swap re-plans and enqueues the post); `--via file` instead
writes the file and reloads (`ScheduleReloader.reload()`, what `/reload` runs). The folder watch
is slowed down so it never races the edit to the swap. Time runs from the call to the first and
to the last post arriving at the fake (polled every 5 ms).

Baseline in the same run, on the same bot: an `/announce`-style broadcast
(`announcer.broadcast`) to the same chats, 1.1 s after the edit's posts are out, from the call
to the first and last arrival. The ratio is taken per repetition (the edit's last arrival over
the broadcast's, seconds apart on the same bot) and its p50 reported: what the edit path itself
(write, validate, reload, re-plan, compose) adds to getting a post out. Headline figures are for
--fans fans, pooled over both edits; `one_fan_*` for a single fan.

Each repetition gets a fresh bot, so each makes the same edit from the same state (a post goes
out once per session and start). Prints a table, then ONE final line holding every figure as
a JSON object. Run it as a module from the repository root (as bench/telegram.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import tempfile
import time
from collections import Counter
from datetime import datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from bench._edit_support import (
    PER_CHAT_GAP_S,
    Scenario,
    Timing,
    fresh_copy,
    posts_since,
    running_bot,
    timed,
)
from bench._stats import ms, percentile
from bot.core.edits.inputs import ResultRowInput
from bot.core.edits.operations import EnterResults, SetSessionTime
from bot.editing import Actor, EditOutcome
from bot.runtime import Runtime
from bot.scheduling.reloader import ReloadResult

TEXT = "Race 2 at Oschersleben is delayed by 30 minutes: the track is being cleaned."
QUALIFYING_AT = 'time = "19:05"'
QUALIFYING_MOVED = 'time = "19:35"'
RACE_1_RESULT = (
    'name = "Race 1"\nkind = "race"\ndate = 2022-04-23\ntime = "TBA"\n\n'
    '[[events.sessions.results]]\nposition = 1\ndriver = "jessica-backman"\n'
)
EDIT_PATHS = {
    "editor": "Editor.apply (validate, audit, atomic write, reload)",
    "file": "file write + ScheduleReloader.reload()",
}
COUNTS = ("posts_expected", "posts_arrived", "missing", "duplicates", "other_posts")
RACE_1_WITHOUT = 'name = "Race 1"\nkind = "race"\ndate = 2022-04-23\ntime = "TBA"\n'


def _rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    if old not in text:
        raise SystemExit(f"{path.name} no longer holds {old!r}: the bench needs updating")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


BENCH_ADMIN = Actor("telegram", "1", "@pressoffice", is_admin=True)
QUALIFYING = "24h-series-2022/hockenheim/qualifying"
RACE_1 = "tcr-germany-2022/oschersleben/race-1"


def _expect_change(outcome: EditOutcome | ReloadResult, change: str) -> None:
    ok = outcome.ok and (not isinstance(outcome, EditOutcome) or outcome.reloaded)
    if not ok or not any(line.startswith(change) for line in outcome.changes):
        raise RuntimeError(f"the edit did not go through as expected: {outcome}")


async def _move_qualifying(runtime: Runtime, folder: Path, via: str) -> None:
    if via == "editor":
        edit = SetSessionTime(QUALIFYING, None, clock_time(19, 35))
        _expect_change(await runtime.editor.apply(edit, BENCH_ADMIN), f"moved {QUALIFYING}")
        return
    _rewrite(folder / "2022" / "24h-series.toml", QUALIFYING_AT, QUALIFYING_MOVED)
    _expect_change(await runtime.reloader.reload(), f"moved {QUALIFYING}")


async def _enter_race_1(runtime: Runtime, folder: Path, via: str) -> None:
    if via == "editor":
        winner = ResultRowInput(line=1, column=1, position=1, driver_ids=("jessica-backman",))
        edit = EnterResults(RACE_1, (winner,))
        _expect_change(
            await runtime.editor.apply(edit, BENCH_ADMIN), f"results changed for {RACE_1}"
        )
        return
    _rewrite(folder / "2022" / "tcr-germany.toml", RACE_1_WITHOUT, RACE_1_RESULT)
    _expect_change(await runtime.reloader.reload(), f"results changed for {RACE_1}")


def _without_race_1(folder: Path) -> None:
    _rewrite(folder / "2022" / "tcr-germany.toml", RACE_1_RESULT, RACE_1_WITHOUT)


SCENARIOS = (
    Scenario(
        "move",
        datetime.fromisoformat("2022-05-13T10:00+02:00"),
        "andreas-backman",
        "Time changed: Qualifying",
        prepare=lambda folder: None,
        edit=_move_qualifying,
    ),
    Scenario(
        "results",
        datetime.fromisoformat("2022-04-24T09:00+02:00"),
        "jessica-backman",
        "Results: Race 1",
        prepare=_without_race_1,
        edit=_enter_race_1,
    ),
)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    logging.getLogger("pitboard.reload").setLevel(logging.WARNING)
    started = time.perf_counter()
    figures = asyncio.run(run(args))
    figures["wall_s"] = round(time.perf_counter() - started, 1)
    print(table(figures))
    print(json.dumps(figures, sort_keys=True))
    return 0


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--fans", type=int, default=200, help="chats following the driver")
    parser.add_argument("--reps", type=int, default=5, help="repetitions per scenario and size")
    parser.add_argument("--rate", type=float, default=1000.0, help="global limit, messages/s")
    parser.add_argument(
        "--via",
        choices=["editor", "file"],
        default="editor",
        help="the edit through the Editor API (default), or a file write and a reload",
    )
    parser.add_argument("--quick", action="store_true", help="a tiny run, for smoke tests")
    args = parser.parse_args(argv)
    if args.quick:
        args.fans, args.reps = 3, 1
    if args.fans < 1 or args.reps < 1 or args.rate < 1:
        parser.error("--fans, --reps and --rate must be at least 1")
    return args


async def run(args: argparse.Namespace) -> dict[str, Any]:
    sizes = sorted({1, args.fans})
    results: dict[str, dict[int, dict[str, list[Timing]]]] = {}
    counts = dict.fromkeys(COUNTS, 0)
    baseline_counts = dict.fromkeys(COUNTS, 0)
    with tempfile.TemporaryDirectory(prefix="pitboard-edit-bench-") as tmp:
        number = 0
        for scenario in SCENARIOS:
            for fans in sizes:
                timings: dict[str, list[Timing]] = {"edit": [], "baseline": []}
                for _ in range(args.reps):
                    number += 1
                    edit, base = await repetition(
                        scenario, fresh_copy(Path(tmp), number), fans, args,
                        counts, baseline_counts,
                    )  # fmt: skip
                    timings["edit"].append(edit)
                    timings["baseline"].append(base)
                results.setdefault(scenario.name, {})[fans] = timings
    return _figures(args, sizes, results, counts, baseline_counts)


async def repetition(
    scenario: Scenario,
    folder: Path,
    fans: int,
    args: argparse.Namespace,
    counts: dict[str, int],
    baseline_counts: dict[str, int],
) -> tuple[Timing, Timing]:
    """One fresh bot: the edit, its posts timed and counted; then the broadcast, the same."""
    scenario.prepare(folder)
    via = args.via
    async with running_bot(folder, scenario.now, args.rate, scenario.driver, fans) as (
        fake,
        runtime,
        chats,
    ):
        since = len(fake.all_sent())
        edit = await timed(fake, chats, lambda: scenario.edit(runtime, folder, via))
        _count(counts, posts_since(fake, chats, since, scenario.expect), fans)
        await asyncio.sleep(PER_CHAT_GAP_S)
        since = len(fake.all_sent())
        base = await timed(fake, chats, lambda: runtime.announcer.broadcast(TEXT))
        _count(baseline_counts, posts_since(fake, chats, since, TEXT), fans)
    return edit, base


def _count(into: dict[str, int], found: tuple[Counter[int], int], fans: int) -> None:
    got, other = found
    into["other_posts"] += other
    into["posts_expected"] += fans
    into["posts_arrived"] += sum(got.values())
    into["missing"] += fans - len(got)
    into["duplicates"] += sum(n - 1 for n in got.values() if n > 1)


def _p50(values: list[float | None]) -> float | None:
    seen = [v for v in values if v is not None]
    return ms(percentile(seen, 50)) if seen else None


def _paired_ratio(edit: list[Timing], base: list[Timing]) -> float | None:
    """The p50 of each repetition's edit-to-last-post over its own broadcast-to-last-post:
    the two ran seconds apart on the same bot, so a busy moment of the machine weighs on both
    (pooled p50s of two scenarios would compare different repetitions)."""
    ratios = [
        e.last_s / b.last_s
        for e, b in zip(edit, base, strict=True)
        if e.last_s is not None and b.last_s
    ]
    return round(percentile(ratios, 50), 2) if ratios else None


def _summary(timings: dict[str, list[Timing]]) -> dict[str, Any]:
    edit, base = timings["edit"], timings["baseline"]
    out = {
        "edits": len(edit),
        "edit_call_ms_p50": _p50([t.call_s for t in edit]),
        "edit_to_first_post_ms_p50": _p50([t.first_s for t in edit]),
        "edit_to_last_post_ms_p50": _p50([t.last_s for t in edit]),
        "baseline_first_ms_p50": _p50([t.first_s for t in base]),
        "baseline_ms_p50": _p50([t.last_s for t in base]),
    }
    out["ratio"] = _paired_ratio(edit, base)
    return out


def _figures(
    args: argparse.Namespace,
    sizes: list[int],
    results: dict[str, dict[int, dict[str, list[Timing]]]],
    counts: dict[str, int],
    baseline_counts: dict[str, int],
) -> dict[str, Any]:
    def pooled(fans: int, kind: str) -> list[Timing]:
        return [t for by_size in results.values() for t in by_size[fans][kind]]

    many = _summary({"edit": pooled(args.fans, "edit"), "baseline": pooled(args.fans, "baseline")})
    one = _summary({"edit": pooled(1, "edit"), "baseline": pooled(1, "baseline")})
    return {
        "benchmark": "edit_to_post",
        "fans": args.fans,
        "reps": args.reps,
        "rate_limit": args.rate,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "edit_path": EDIT_PATHS[args.via],
        "edits": sum(len(t["edit"]) for by_size in results.values() for t in by_size.values()),
        "edit_to_first_post_ms_p50": many["edit_to_first_post_ms_p50"],
        "edit_to_last_post_ms_p50": many["edit_to_last_post_ms_p50"],
        "edit_call_ms_p50": many["edit_call_ms_p50"],
        "baseline_first_ms_p50": many["baseline_first_ms_p50"],
        "baseline_ms_p50": many["baseline_ms_p50"],
        "ratio": many["ratio"],
        "ratio_basis": "p50 over repetitions of (edit -> last post) / (broadcast -> last post), "
        "both on the same bot",
        "one_fan_edit_to_post_ms_p50": one["edit_to_first_post_ms_p50"],
        "one_fan_baseline_ms_p50": one["baseline_ms_p50"],
        "one_fan_ratio": one["ratio"],
        "posts": counts,
        "baseline_posts": baseline_counts,
        "scenarios": {
            name: {f"fans_{fans}": _summary(by_size[fans]) for fans in sizes}
            for name, by_size in results.items()
        },
    }


def table(figures: dict[str, Any]) -> str:
    header = (
        f"{'scenario':<10} {'fans':>5} {'call p50':>9} {'first p50':>10} {'last p50':>9}"
        f" {'base first':>11} {'base last':>10} {'ratio':>6}"
    )
    rows = [header, "-" * len(header)]

    def cell(value: float | None, width: int) -> str:
        return f"{'—' if value is None else value:>{width}}"

    for name, by_size in figures["scenarios"].items():
        for size, s in by_size.items():
            rows.append(
                f"{name:<10} {size.removeprefix('fans_'):>5}"
                f" {cell(s['edit_call_ms_p50'], 9)} {cell(s['edit_to_first_post_ms_p50'], 10)}"
                f" {cell(s['edit_to_last_post_ms_p50'], 9)} {cell(s['baseline_first_ms_p50'], 11)}"
                f" {cell(s['baseline_ms_p50'], 10)} {cell(s['ratio'], 6)}"
            )
    posts = figures["posts"]
    rows.append(
        f"times in ms, p50 over {figures['reps']} repetition(s); edit posts: "
        f"{posts['posts_arrived']}/{posts['posts_expected']} arrived, {posts['missing']} missing,"
        f" {posts['duplicates']} duplicated; headline (edit last / broadcast last, "
        f"{figures['fans']} fans): ratio {figures['ratio']}"
    )
    return "\n".join(rows)


if __name__ == "__main__":
    raise SystemExit(main())
