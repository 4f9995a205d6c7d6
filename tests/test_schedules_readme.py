"""schedules/README.md documents the format: its example loads cleanly and uses every key."""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.core.schedules import load_catalog
from bot.core.schedules.events import CLASS_KEYS, ENTRY_KEYS, EVENT_KEYS
from bot.core.schedules.links import LINK_KEYS
from bot.core.schedules.provenance import PROVENANCE_KEYS, SOURCE_KEYS
from bot.core.schedules.published import ROW_KEYS, STANDINGS_KEYS
from bot.core.schedules.results import RESULT_KEYS
from bot.core.schedules.series import FILE_KEYS, SERIES_KEYS
from bot.core.schedules.sessions import SESSION_KEYS
from bot.core.schedules.shared import DRIVER_KEYS, LAP_RECORD_KEYS, SCALE_KEYS, TRACK_KEYS
from tests.test_schedules_helpers import REAL_SCHEDULES

README = (REAL_SCHEDULES / "README.md").read_text(encoding="utf-8")
EXAMPLES = {
    block.splitlines()[0].removeprefix("# file: "): block
    for block in re.findall(r"```toml\n(.*?)```", README, re.DOTALL)
}


def keys(tables: list[dict[str, Any]]) -> set[str]:
    return {key for table in tables for key in table}


def test_the_readme_has_the_five_example_files() -> None:
    assert set(EXAMPLES) == {
        "sources.toml",
        "scales.toml",
        "tracks.toml",
        "drivers.toml",
        "2022/example-cup.toml",
    }


def test_the_example_loads_without_problems(tmp_path: Path) -> None:
    for name, text in EXAMPLES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    catalog = load_catalog(tmp_path)
    part_2 = catalog.sessions["example-cup-2022/hockenheim/race-part-2"]
    assert part_2.start_utc == datetime(2022, 10, 30, 1, 30, tzinfo=UTC)
    assert [link.label for link in part_2.broadcasts] == ["Example Cup on YouTube"]
    assert catalog.sessions["example-cup-2022/hockenheim/race-part-1"].points_scale is None
    assert catalog.sessions["example-cup-2022/hockenheim/qualifying"].points_scale == (
        "example-qualifying"
    )


def test_the_example_uses_every_key() -> None:
    docs = {name: tomllib.loads(text) for name, text in EXAMPLES.items()}
    sources = [
        *docs["sources.toml"]["sources"].values(),
        *docs["2022/example-cup.toml"]["sources"].values(),
    ]
    scales = list(docs["scales.toml"]["scales"].values())
    tracks = list(docs["tracks.toml"]["tracks"].values())
    drivers = list(docs["drivers.toml"]["drivers"].values())
    series = docs["2022/example-cup.toml"]
    events = series["events"]
    sessions = [s for e in events for s in e.get("sessions", [])]
    standings = series["standings"]
    shared_tops = keys([{k: v for k, v in docs[name].items() if k != name[:-5]} for name in docs])
    expected = [
        (keys(sources), SOURCE_KEYS),
        (set(docs["sources.toml"]), ("sources",)),
        # The top level of the shared files, as of a series file: `source` and `inferred`.
        (shared_tops - {"series", "events", "standings", "sources"}, PROVENANCE_KEYS),
        (keys(scales), SCALE_KEYS),
        (keys(tracks), TRACK_KEYS),
        (keys([r for t in tracks for r in t.get("lap_records", [])]), LAP_RECORD_KEYS),
        (keys(drivers), DRIVER_KEYS),
        # A file's top-level `source` and `inferred` are the same keys in every file.
        (set(series) | (shared_tops & set(PROVENANCE_KEYS)), FILE_KEYS),
        (set(series["series"]), SERIES_KEYS),
        (keys(events), EVENT_KEYS),
        (keys([b for e in events for b in e.get("broadcasts", [])]), LINK_KEYS),
        (keys([b for s in sessions for b in s.get("broadcasts", [])]), LINK_KEYS),
        (keys([c for e in events for c in e.get("classes", [])]), CLASS_KEYS),
        (keys([n for e in events for n in e.get("entries", [])]), ENTRY_KEYS),
        (keys(sessions), SESSION_KEYS),
        (keys([r for s in sessions for r in s.get("results", [])]), RESULT_KEYS),
        (keys(standings), STANDINGS_KEYS),
        (keys([r for t in standings for r in t["rows"]]), ROW_KEYS),
    ]
    for used, allowed in expected:
        assert used == set(allowed)


@pytest.mark.parametrize(
    "key",
    sorted(
        {
            *SCALE_KEYS, *TRACK_KEYS, *LAP_RECORD_KEYS, *DRIVER_KEYS, *FILE_KEYS, *SERIES_KEYS,
            *EVENT_KEYS, *LINK_KEYS, *CLASS_KEYS, *ENTRY_KEYS, *SESSION_KEYS, *RESULT_KEYS,
            *STANDINGS_KEYS, *ROW_KEYS, *SOURCE_KEYS, *PROVENANCE_KEYS,
        }
    ),
)  # fmt: skip
def test_every_key_is_in_a_key_table(key: str) -> None:
    assert re.search(rf"^\| `{key}`|, `{key}` \|", README, re.MULTILINE), key
