"""`pitboard check --sources`: every fact by its source, the inferred ones with their reasons, and
each fact without a source reported (exit code 1); the bundled data has a source for every fact."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.core.fact_sources import sources_report
from bot.core.provenance import FactKind
from bot.core.schedules import load_catalog
from tests.test_cli import ROOT, pitboard

BUNDLED_INFERRED = [
    "  event tcr-germany-2022/red-bull-ring: the time zone: the release does not say where the "
    "Red Bull Ring is (Spielberg, Austria)",
    "  entry tcr-germany-2022/red-bull-ring: jessica-backman: the release says Jessica races at "
    "Red Bull Ring next, not with which team and car",
    "  scale tcr-germany-race: not published in the seeds; chosen to match Jessica Bäckman's "
    "points in the release's standings after round 1",
    "  scale tcr-germany-qualifying: not published in the seeds; chosen to match Jessica "
    "Bäckman's points in the release's standings after round 1",
    '  track oschersleben: the full name: the release calls it only "the Oschersleben track"',
]


def _section(lines: list[str], heading: str) -> list[str]:
    start = next(i for i, text in enumerate(lines) if text.startswith(heading))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i]), len(lines))
    return lines[start:end]


def test_the_bundled_data_has_a_source_for_every_fact() -> None:
    done = pitboard("check", "--sources")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == (
        "tcr-germany-premiere: press release “Jessica Bäckman won her first international race "
        "at the TCR Germany premiere” (000_be3e7f7dbc6ae3d7.txt) — 28 facts"
    )
    assert _section(lines, "Inferred") == ["Inferred — 5 facts", *BUNDLED_INFERRED]
    assert _section(lines, "Without a source") == ["Without a source — 0 facts"]
    assert lines[-1] == (
        "ok: 46 facts, every one with a source (41 stated only, 5 inferred) in schedules"
    )
    # A fact two sources state is listed under both.
    interview = _section(lines, "bodensare-interview:")
    assert interview[1:] == ["  driver jessica-backman"]
    assert "  driver jessica-backman" in _section(lines, "tcr-germany-premiere:")
    assert "  event tcr-germany-2022/hockenheim" in _section(lines, "hockenheim-12h:")


def test_a_fact_without_a_source_is_reported_with_exit_code_1(tmp_path: Path) -> None:
    folder = tmp_path / "schedules"
    shutil.copytree(ROOT / "schedules", folder)
    stcc = folder / "2022" / "stcc.toml"
    stcc.write_text(stcc.read_text().replace('source = "hockenheim-12h"\n', ""))
    done = pitboard("check", "--sources", str(folder))
    assert done.returncode == 1
    assert _section(done.stdout.splitlines(), "Without a source") == [
        "Without a source — 3 facts",
        "  series stcc-2022",
        "  event stcc-2022/ljungbyhed",
        "  entry stcc-2022/ljungbyhed: andreas-backman",
    ]
    assert done.stderr == f"3 facts of 46 without a source in {folder}\n"
    # The plain check still passes: a missing source is not a problem in the files.
    assert pitboard("check", str(folder)).returncode == 0


def test_check_sources_still_reports_problems_first(tmp_path: Path) -> None:
    folder = tmp_path / "schedules"
    shutil.copytree(ROOT / "schedules", folder)
    stcc = folder / "2022" / "stcc.toml"
    stcc.write_text(stcc.read_text().replace('"hockenheim-12h"', '"hockenheim-12"'))
    done = pitboard("check", "--sources", str(folder))
    assert done.returncode == 1
    assert done.stdout == (
        "2022/stcc.toml:2: source: unknown source 'hockenheim-12' (did you mean "
        "'hockenheim-12h'?)\n"
    )


def test_check_help_says_what_the_exit_code_means() -> None:
    done = pitboard("check", "--help")
    assert "--sources" in done.stdout
    assert "exit code 1 when any fact lacks one" in " ".join(done.stdout.split())


def test_every_bundled_fact_is_in_the_report_once_per_source() -> None:
    catalog = load_catalog(ROOT / "schedules")
    report = sources_report(catalog)
    assert report.unsourced == []
    assert report.total == 46
    assert {fact.key for fact, _ in report.inferred} == {
        (FactKind.EVENT, "tcr-germany-2022/red-bull-ring", -1),
        (FactKind.ENTRY, "tcr-germany-2022/red-bull-ring", 0),
        (FactKind.SCALE, "tcr-germany-race", -1),
        (FactKind.SCALE, "tcr-germany-qualifying", -1),
        (FactKind.TRACK, "oschersleben", -1),
    }
    listed = sum(len(facts) for facts in report.by_source.values())
    assert listed == report.total - 1 + 2  # one fact without a source id, two with two ids
