"""`[sources.<id>]`, `source = "<id>"` and `inferred = "<reason>"`: accepted on every table that
states a fact, inherited downwards, and an unknown source id reported with file, line and key."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from bot.core.provenance import FactKind, Provenance, SourceKind
from bot.core.schedules import Problem, check_directory, load_catalog
from tests.test_schedules_helpers import (
    DRIVERS,
    SCALES,
    SERIES,
    TRACKS,
    line_of,
    problems_in,
    replace_once,
    write_schedules,
)

SOURCES = """\
[sources.release]
kind = "press-release"
title = "Cleo wins at the Ring"
file = "release.txt"
url = "https://example.org/release"
published = 2022-05-16
by = "Demo Cup press office"

[sources.edit-1]
kind = "operator"
by = "cli:anna"
at = 2026-12-03T07:10:00Z
"""

# Every fact-stating table of a series file with its own provenance, and the file level.
SOURCED_SERIES = (
    'source = "release"\n\n'
    + replace_once(
        replace_once(
            replace_once(
                replace_once(SERIES, "season = 2022\n", 'season = 2022\nsource = "release"\n'),
                'timezone = "Europe/Berlin"\n',
                'timezone = "Europe/Berlin"\ninferred = "time zone of the town"\n',
            ),
            'drivers = ["cleo"]\n',
            'drivers = ["cleo"]\ninferred = "entry list not published"\n',
        ),
        'position = 2\ncar = "7"\n',
        'position = 2\ncar = "7"\nsource = ["release", "edit-1"]\n',
    )
    + """
[sources.in-series]
kind = "import"
file = "classification.csv"

[[standings]]
after = "ring"
source = "in-series"

[[standings.rows]]
position = 1
driver = "cleo"
points = 25

[[standings.rows]]
position = 2
driver = "anna"
points = 18
inferred = "read off a photo of the board"
"""
)


def sourced_dir(root: Path, series: str = SOURCED_SERIES) -> Path:
    return write_schedules(
        root,
        series,
        sources_dot_toml=SOURCES,
        scales_dot_toml='inferred = "worked out from the totals"\n\n' + SCALES,
        tracks_dot_toml=TRACKS.replace('country = "DE"\n', 'country = "DE"\nsource = "release"\n')
        + '\n[[tracks.ring.lap_records]]\nclass = "TCR"\ntime = "1:47.095"\nsource = "edit-1"\n',
        drivers_dot_toml=DRIVERS.replace(
            'name = "Cleo Carr"\n', 'name = "Cleo Carr"\nsource = "edit-1"\n'
        ),
    )


def test_sources_and_provenance_keys_load_on_every_table(tmp_path: Path) -> None:
    catalog = load_catalog(sourced_dir(tmp_path))
    found = catalog.provenance
    release = found.sources["release"]
    assert release.kind is SourceKind.PRESS_RELEASE
    assert release.title == "Cleo wins at the Ring"
    assert release.published == date(2022, 5, 16)
    assert release.file == "release.txt" and release.defined_in == "sources.toml"
    assert found.sources["edit-1"].at == datetime(2026, 12, 3, 7, 10, tzinfo=UTC)
    assert found.sources["in-series"].defined_in == "demo.toml"
    release_only = Provenance(("release",))
    event = "demo-2022/ring"
    assert found.of((FactKind.SERIES, "demo-2022", -1)) == release_only
    assert found.of((FactKind.EVENT, event, -1)) == Provenance((), "time zone of the town")
    assert found.of((FactKind.ENTRY, event, 1)) == Provenance((), "entry list not published")
    assert found.of((FactKind.RESULT, f"{event}/race", 1)) == Provenance(("release", "edit-1"))
    assert found.of((FactKind.STANDINGS, event, -1)) == Provenance(("in-series",))
    assert found.of((FactKind.STANDINGS_ROW, event, 1)) == Provenance(
        (), "read off a photo of the board"
    )
    assert found.of((FactKind.SCALE, "race", -1)) == Provenance((), "worked out from the totals")
    assert found.of((FactKind.TRACK, "ring", -1)) == release_only
    assert found.of((FactKind.LAP_RECORD, "ring", 0)) == Provenance(("edit-1",))
    assert found.of((FactKind.DRIVER, "cleo", -1)) == Provenance(("edit-1",))
    assert found.of((FactKind.DRIVER, "anna", -1)) is None  # drivers.toml states nothing


def test_provenance_is_inherited_downwards(tmp_path: Path) -> None:
    found = load_catalog(sourced_dir(tmp_path)).provenance
    event = "demo-2022/ring"
    inferred_event = Provenance((), "time zone of the town")
    # No key of their own: the nearest table above that states one.
    assert found.of((FactKind.ENTRY, event, 0)) == inferred_event
    assert found.of((FactKind.SESSION, f"{event}/race", -1)) == inferred_event
    assert found.of((FactKind.RESULT, f"{event}/race", 0)) == inferred_event
    assert found.inferred((FactKind.RESULT, f"{event}/race", 0)) == "time zone of the town"
    assert found.inferred((FactKind.RESULT, f"{event}/race", 1)) is None
    assert found.of((FactKind.STANDINGS_ROW, event, 0)) == Provenance(("in-series",))
    assert found.of((FactKind.LAP_RECORD, "ring", 0)) == Provenance(("edit-1",))


def test_the_file_level_source_reaches_a_series_without_its_own(tmp_path: Path) -> None:
    series = 'source = "release"\n\n' + SERIES
    found = load_catalog(sourced_dir(tmp_path, series)).provenance
    assert found.of((FactKind.RESULT, "demo-2022/ring/race", 0)) == Provenance(("release",))
    assert found.of((FactKind.SCALE, "qualifying", -1)) == Provenance(
        (), "worked out from the totals"
    )


def test_an_unknown_source_id_is_a_problem_at_its_line(tmp_path: Path) -> None:
    series = replace_once(SOURCED_SERIES, 'source = "in-series"', 'source = "relase"')
    series = replace_once(series, 'source = ["release", "edit-1"]', 'source = ["release", "x"]')
    drivers = DRIVERS.replace('name = "Ben Berg"\n', 'name = "Ben Berg"\nsource = "nowhere"\n')
    root = sourced_dir(tmp_path, series)
    (root / "drivers.toml").write_text(drivers, encoding="utf-8")
    assert problems_in(root) == (
        Problem(
            "demo.toml",
            line_of(series, 'source = ["release", "x"]'),
            "events[0].sessions[1].results[1].source[1]",
            "unknown source 'x' (define [sources.x] in sources.toml)",
        ),
        Problem(
            "demo.toml",
            line_of(series, 'source = "relase"'),
            "standings[0].source",
            "unknown source 'relase' (did you mean 'release'?)",
        ),
        Problem(
            "drivers.toml",
            line_of(drivers, 'source = "nowhere"'),
            "drivers.ben.source",
            "unknown source 'nowhere' (define [sources.nowhere] in sources.toml)",
        ),
    )


def test_bad_source_tables_and_values_are_problems(tmp_path: Path) -> None:
    sources = SOURCES + '\n[sources.memo]\nkind = "document"\nat = 2026-12-03T07:10:00\n'
    sources += '\n[sources.leaflet]\nkind = "flyer"\ntitle = "x"\n'
    series = replace_once(SOURCED_SERIES, 'inferred = "entry list not published"', "inferred = 3")
    series += '\n[sources.release]\nkind = "operator"\n'
    root = sourced_dir(tmp_path, series)
    (root / "sources.toml").write_text(sources, encoding="utf-8")
    found = {(p.file, p.key): p.message for p in problems_in(root)}
    assert found == {
        ("sources.toml", "sources.memo.title"): "missing required key 'title'",
        ("sources.toml", "sources.memo.at"): (
            "a datetime needs its UTC offset, e.g. 2026-12-03T07:10:00Z"
        ),
        ("sources.toml", "sources.leaflet.kind"): found[("sources.toml", "sources.leaflet.kind")],
        ("demo.toml", "events[0].entries[1].inferred"): "expected a string, got integer 3",
        ("demo.toml", "sources.release"): "duplicate source id 'release' (also in sources.toml)",
    }
    assert "'flyer'" in found[("sources.toml", "sources.leaflet.kind")]


def test_sources_toml_is_not_read_as_a_series_file(tmp_path: Path) -> None:
    root = sourced_dir(tmp_path)
    (root / "sources.toml").write_text(SOURCES + "\n[series]\nid = 'x'\n", encoding="utf-8")
    assert [(p.file, p.key) for p in problems_in(root)] == [("sources.toml", "series")]


def test_a_directory_without_provenance_keeps_none(tmp_path: Path) -> None:
    catalog = load_catalog(write_schedules(tmp_path))
    assert dict(catalog.provenance.stated) == {}
    assert catalog.provenance.of((FactKind.RESULT, "demo-2022/ring/race", 0)) is None


def test_a_source_that_is_not_even_an_id_is_reported_on_one_line(tmp_path: Path) -> None:
    """Found by the garbage fuzz: a source of "\\n" was echoed into "[sources.\\n]"."""
    (tmp_path / "tracks.toml").write_text(
        '[tracks.hockenheimring]\nname = "Hockenheimring"\nsource = "\\n"\n', encoding="utf-8"
    )
    _, problems = check_directory(tmp_path)
    (problem,) = problems
    assert "\n" not in str(problem)
    assert problem.key == "tracks.hockenheimring.source"
    assert problem.message == "unknown source: must not be empty"
