"""What an admin reads about an edit or an import: counts in the right number, no stray
punctuation where a file says little about a new car."""

from __future__ import annotations

from bot.core.edits.inputs import DriverInput, EntryInput
from bot.core.edits.operations import AddEntries
from bot.core.imports.preview import preview_lines
from bot.core.imports.reader import ImportedResults
from bot.core.schedules import load_catalog

from .conftest import BUNDLED

EVENT = "tcr-germany-2022/oschersleben"
RACE_1 = f"{EVENT}/race-1"


def test_one_entry_and_one_driver_are_said_in_the_singular() -> None:
    one = AddEntries(
        EVENT,
        (EntryInput("5", driver_ids=("max-muster",)),),
        (DriverInput("max-muster", "Max Muster"),),
    )
    assert one.summary() == f"{EVENT}: 1 entry added, 1 new driver"
    two = AddEntries(EVENT, (EntryInput("5"), EntryInput("7")))
    assert two.summary() == f"{EVENT}: 2 entries added"


def test_a_new_entry_without_number_team_or_car_lists_only_its_drivers() -> None:
    catalog = load_catalog(BUNDLED)
    imported = ImportedResults(
        file="race-1.csv",
        format="CSV",  # type: ignore[arg-type]
        session_id=RACE_1,
        entries=(EntryInput(None, driver_ids=("jessica-backman",)),),
    )
    lines = preview_lines(imported, catalog)
    assert "new entry: Jessica Bäckman" in lines
    assert not any("::" in text for text in lines)
