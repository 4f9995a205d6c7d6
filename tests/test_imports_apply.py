"""Importing timing exports through the Editor (bot.editing.imports): into a copy of the test
schedules, then the catalog reloaded from the files and asked, through the service, for the
results and the standings a fan would see."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from pathlib import Path

import pytest

from bot.core.announce import compose
from bot.core.audience import Chat, ChatRef, Subscription
from bot.core.catalog import CatalogHolder
from bot.core.clock import FixedClock
from bot.core.plan import AnnouncementKind, PlanSettings, plan
from bot.core.schedules import load_catalog
from bot.core.service import ChatContext, Service
from bot.core.standings import TableKind, standings
from bot.editing import Actor, Editor, cli_actor
from bot.editing.imports import decode_export, import_apply, import_preview
from bot.frontends.console.render import render
from bot.scheduling.reloader import ScheduleReloader
from bot.store.sqlite import SQLiteStore

DATA = Path(__file__).resolve().parent / "data" / "imports"
TCR_RACE_1 = "tcr-demo-2023/demo-ring/race-1"
TCR_RACE_2 = "tcr-demo-2023/demo-ring/race-2"
ENDURANCE = "endurance-demo-2023/demo-12h/race"
AFTER_THE_WEEKENDS = datetime.fromisoformat("2023-06-10T12:00+02:00")
OPERATOR = cli_actor("tester")


@dataclass
class Desk:
    folder: Path
    editor: Editor
    catalogs: CatalogHolder
    store: SQLiteStore

    def files(self) -> dict[str, str]:
        return {
            str(p.relative_to(self.folder)): p.read_text("utf-8")
            for p in sorted(self.folder.rglob("*.toml"))
        }

    def fresh_catalog_service(self) -> Service:
        """A service on a catalog read anew from the files: what a restarted bot would see."""
        catalog = load_catalog(self.folder)
        return Service(CatalogHolder(catalog), FixedClock(AFTER_THE_WEEKENDS))


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    folder = tmp_path / "schedules"
    shutil.copytree(DATA / "schedules", folder)
    catalogs = CatalogHolder(load_catalog(folder))

    async def replan() -> None:
        return None

    reloader = ScheduleReloader(folder, catalogs, replan)
    async with SQLiteStore(tmp_path / "pitboard.sqlite3") as store:
        editor = Editor(folder, store, catalogs, FixedClock(AFTER_THE_WEEKENDS), reloader.reload)
        yield Desk(folder, editor, catalogs, store)


def data(name: str) -> bytes:
    return (DATA / name).read_bytes()


async def ask(service: Service, line: str) -> str:
    return render(await service.handle(line, ChatContext(zone="Europe/Berlin")), colour=False)


def points(
    service: Service, series: str, kind: TableKind = TableKind.DRIVERS
) -> dict[str, Fraction]:
    table = standings(service.catalog, series, kind)
    return {line.key: line.points for line in table.lines}


async def test_the_dry_run_shows_the_rows_and_writes_nothing(desk: Desk) -> None:
    before = desk.files()
    name = "endurance-12h-alkamel.csv"
    preview = await import_preview(desk.editor, ENDURANCE, name, data(name), OPERATOR)
    assert preview.ok, preview.text
    assert preview.lines[0].startswith(f"{name} (Al Kamel): 4 rows for 12h Race, Demo 12 Hours")
    assert any("#131" in line and "[new entry]" in line for line in preview.lines)
    assert "new drivers: Tove Testa (tove-testa), Ulf Uddén (ulf-udden), Vera Vik (vera-vik)" in (
        preview.lines
    )
    assert any(line.startswith("drivers.toml:") for line in preview.changes)
    assert "2023/endurance-demo.toml:111: + [sources.import-1]" in preview.changes
    assert desk.files() == before
    assert await desk.editor.audit() == []
    assert desk.catalogs.current.sessions[ENDURANCE].results == ()


async def test_a_two_class_sprint_race_gives_results_and_standings(desk: Desk) -> None:
    name = "tcr-race-1-alkamel.csv"  # Windows-1252 with CRLF line ends, as exported
    outcome = await import_apply(desk.editor, TCR_RACE_1, name, data(name), OPERATOR)
    assert outcome.ok, outcome.text
    assert outcome.edit_id == 1 and "results changed for " + TCR_RACE_1 in outcome.lines
    race = desk.catalogs.current.sessions[TCR_RACE_1]  # the Editor's reload swapped it in
    assert race.results_complete
    service = desk.fresh_catalog_service()
    reloaded = service.catalog.sessions[TCR_RACE_1]
    assert reloaded.results == race.results
    assert [(r.position, r.car_number, r.status.value) for r in race.results] == [
        (1, "5", "classified"),
        (2, "7", "classified"),
        (3, "1", "classified"),
        (4, "21", "classified"),
        (5, "23", "classified"),
        (6, "22", "classified"),
        (None, "11", "dnf"),
        (None, "24", "dnf"),
    ]
    assert points(service, "tcr-demo-2023") == {
        "bjorn-oberg": 25,
        "cleo-carre": 20,
        "anna-alm": 16,
        "eva-ek": 13,
        "goran-gron": 11,
        "finn-falk": 10,
        "dan-dahl": 0,
        "hanna-holm": 0,
    }
    classes = standings(service.catalog, "tcr-demo-2023", TableKind.CLASSES)
    assert [(line.class_name, line.key) for line in classes.lines if line.position == 1] == [
        ("TCR", "bjorn-oberg"),
        ("Junior", "eva-ek"),
    ]
    shown = await ask(service, f"/results {TCR_RACE_1}")
    assert "Fastest lap (TCR): Cléo Carré, 1'38.050" in shown
    assert "Dan Dahl: not classified" in shown and "Partial results" not in shown
    table = await ask(service, "/standings tcr-demo-2023")
    assert "After round 1 of 2 (Demo Ring)" in table and "Incomplete" not in table


async def test_a_four_driver_race_adds_the_new_car_and_its_drivers(desk: Desk) -> None:
    name = "endurance-12h-alkamel.csv"
    outcome = await import_apply(desk.editor, ENDURANCE, name, data(name), OPERATOR)
    assert outcome.ok, outcome.text
    service = desk.fresh_catalog_service()
    catalog = service.catalog
    event = catalog.events["endurance-demo-2023/demo-12h"]
    new_car = next(e for e in event.entries if e.number == "131")
    assert new_car.drivers == ("jessica-backman", "tove-testa", "ulf-udden", "vera-vik")
    assert (new_car.team, new_car.class_name) == ("Västkust Racing", "TCE")
    assert catalog.drivers["ulf-udden"].name == "Ulf Uddén"
    second = catalog.sessions[ENDURANCE].results[1]
    assert (second.position, second.drivers, second.laps, second.gap) == (
        2,
        new_car.drivers,
        350,
        "2 Laps",
    )
    assert points(service, "endurance-demo-2023") == {
        **dict.fromkeys(("ida-isaksson", "jon-jansson", "kim-karlsson", "lea-lund"), 40),
        **dict.fromkeys(new_car.drivers, 36),
        **dict.fromkeys(("pia-palm", "rut-ros", "sam-sten", "anna-alm"), 32),
        **dict.fromkeys(("max-mark", "nils-nord", "olle-ost"), 0),
    }
    teams = points(service, "endurance-demo-2023", TableKind.TEAMS)
    assert teams == {"Nordic Endurance": 40, "Västkust Racing": 36, "Fourth Gear GT": 32}
    jessica = await ask(service, "/driver jessica")
    assert "Race 2nd" in jessica and "36 pts" in jessica


async def test_a_plain_csv_second_race_adds_to_the_first(desk: Desk) -> None:
    first = "tcr-race-1-alkamel.csv"
    assert (await import_apply(desk.editor, TCR_RACE_1, first, data(first), OPERATOR)).ok
    name = "tcr-race-2.csv"
    # A plain CSV does not say it is the whole classification: the operator does.
    outcome = await import_apply(desk.editor, TCR_RACE_2, name, data(name), OPERATOR, complete=True)
    assert outcome.ok, outcome.text
    service = desk.fresh_catalog_service()
    race = service.catalog.sessions[TCR_RACE_2]
    assert [(r.position, r.car_number, r.status.value, r.note) for r in race.results][-2:] == [
        (None, "11", "dnf", "gearbox"),
        (None, "23", "dns", "fuel pump"),
    ]
    assert points(service, "tcr-demo-2023") == {
        "cleo-carre": 45,
        "bjorn-oberg": 41,
        "anna-alm": 36,
        "eva-ek": 26,
        "finn-falk": 20,
        "goran-gron": 11,
        "wille-wennberg": 11,
        "dan-dahl": 0,
        "hanna-holm": 0,
    }
    goran = await ask(service, "/driver goran")
    # The fastest lap of his class in Race 1 (Junior), then a DNS with its note.
    assert "R1 5th, fastest lap · R2 DNS (fuel pump) — 6th in the championship, 11 pts" in goran


async def test_an_import_is_one_audited_edit_and_undo_takes_it_all_back(desk: Desk) -> None:
    before = desk.files()
    name = "endurance-12h-alkamel.csv"
    outcome = await import_apply(desk.editor, ENDURANCE, name, data(name), OPERATOR)
    assert outcome.ok and outcome.edit_id is not None
    (record,) = await desk.editor.audit()
    assert record.actor == "cli:tester" and set(record.files) == {
        "2023/endurance-demo.toml",
        "drivers.toml",
    }
    series_file = desk.files()["2023/endurance-demo.toml"]
    assert '[sources.import-1]\nkind = "import"\nfile = "endurance-12h-alkamel.csv"' in series_file
    assert series_file.count('source = "import-1"') == 6  # the new entry, the session, 4 rows
    undone = await desk.editor.undo(outcome.edit_id, OPERATOR)
    assert undone.ok, undone.problems
    assert desk.files() == before
    assert "tove-testa" not in desk.catalogs.current.drivers


@pytest.mark.parametrize(
    ("name", "where"),
    [
        ("broken-wrong-delimiter.csv", "broken-wrong-delimiter.csv:1: "),
        ("broken-missing-column.csv", "broken-missing-column.csv:1: "),
        ("broken-duplicate-position.csv", "broken-duplicate-position.csv:5: POSITION: "),
        ("broken-unknown-status.csv", "broken-unknown-status.csv:4: STATUS: "),
        ("broken-laps-and-time.csv", "broken-laps-and-time.csv:3: laps: "),
    ],
)
async def test_a_broken_file_changes_nothing_and_says_where(
    desk: Desk, name: str, where: str
) -> None:
    before = desk.files()
    preview = await import_preview(desk.editor, TCR_RACE_1, name, data(name), OPERATOR)
    outcome = await import_apply(desk.editor, TCR_RACE_1, name, data(name), OPERATOR)
    assert not preview.ok and not outcome.ok
    assert any(line.startswith(where) for line in outcome.lines), outcome.lines
    assert desk.files() == before and await desk.editor.audit() == []


async def test_a_non_admin_is_refused_before_the_file_is_read(desk: Desk) -> None:
    fan = Actor("telegram", "42", "@fan", is_admin=False)
    name = "tcr-race-1-alkamel.csv"
    preview = await import_preview(desk.editor, TCR_RACE_1, name, data(name), fan)
    outcome = await import_apply(desk.editor, TCR_RACE_1, name, data(name), fan)
    assert preview.lines == outcome.lines == ("Sorry, /edit is only for Pitboard's admins.",)
    assert await desk.editor.audit() == []


async def test_a_file_that_is_not_text_is_refused(desk: Desk) -> None:
    outcome = await import_apply(desk.editor, TCR_RACE_1, "photo.jpg", b"\xff\xd8\0\0", OPERATOR)
    assert outcome.lines == ("photo.jpg is not a text file (a CSV export is)",)


def test_exports_are_decoded_as_utf8_with_or_without_bom_else_windows_1252() -> None:
    assert decode_export("\ufeffÖberg".encode()) == "Öberg"
    assert decode_export("Öberg".encode()) == "Öberg"
    assert decode_export("Öberg".encode("cp1252")) == "Öberg"
    assert decode_export(b"\x81") == "\x81"  # undefined in Windows-1252: Latin-1, never an error


async def test_the_results_post_after_an_import_names_the_followed_driver_and_the_table(
    desk: Desk,
) -> None:
    name = "endurance-12h-alkamel.csv"
    assert (await import_apply(desk.editor, ENDURANCE, name, data(name), OPERATOR)).ok
    catalog = desk.catalogs.current
    (post,) = [
        a
        for a in plan(catalog, PlanSettings())
        if a.subject == ENDURANCE and a.kind is AnnouncementKind.RESULTS
    ]
    ref = ChatRef("console", "fan")
    fan = Subscription(
        ref,
        series=frozenset({"endurance-demo-2023"}),
        drivers=frozenset({"jessica-backman"}),
    )
    reply = compose(post, catalog, Chat(ref, zone="Europe/Stockholm"), fan, post.due)
    assert reply is not None and reply.contains_results
    lines = render(reply, colour=False, width=100).splitlines()
    assert lines[0] == "Results: 12h Race — Demo 12 Hours"
    assert "Jessica Bäckman: 2nd, fastest lap — 5th in the championship, 36 pts" in lines
    assert "Fastest lap (TCE): #131 Jessica Bäckman, Tove Testa, Ulf Uddén, Vera Vik, 1'43.900" in (
        lines
    )
    assert "Standings: Endurance Demo Series 2023 — drivers" in lines
    assert ["5", "Jessica", "Bäckman", "SE", "36"] in [line.split() for line in lines]
