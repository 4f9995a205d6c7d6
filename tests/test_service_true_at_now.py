"""Answers true at the clock's now: the championship line, a chosen weekend's place, /next."""

from __future__ import annotations

from datetime import date, datetime

from bot.core.catalog import Catalog, CatalogHolder
from bot.core.clock import FixedClock
from bot.core.model import Entry
from bot.core.reply import Reply
from bot.core.service import ChatContext, Service
from bot.frontends.console.render import render
from tests.test_service import CATALOG
from tests.test_standings import SERIES, build, event, row, session


def service(catalog: Catalog, at: str) -> Service:
    return Service(CatalogHolder(catalog), FixedClock(datetime.fromisoformat(at)))


async def ask(catalog: Catalog, line: str, at: str) -> str:
    reply: Reply = await service(catalog, at).handle(line, ChatContext(zone="Europe/Berlin"))
    return render(reply, colour=False)


async def test_jessica_has_no_points_before_qualifying_1() -> None:
    text = await ask(CATALOG, "/driver jessica", "2022-04-23T00:01+02:00")
    assert "FP1 2nd · FP2 2nd" in text
    assert "championship" not in text and "33 pts" not in text
    table = await ask(CATALOG, "/standings tcr-germany-2022", "2022-04-23T00:01+02:00")
    assert "No results yet." in table and "After round 1" not in table


async def test_mid_weekend_claims_no_place_and_says_which_sessions_are_in() -> None:
    at = "2022-04-24T00:01+02:00"
    text = await ask(CATALOG, "/driver jessica", at)
    assert (
        "Q1 2nd · Race 1 WIN — 33 pts from the results known so far "
        "(unpublished points scale, inferred)"
    ) in text
    assert "1st in the championship" not in text
    table = await ask(CATALOG, "/standings tcr-germany-2022", at)
    assert "Round 1 of 7 (Oschersleben) under way: after Qualifying 1 and Race 1" in table
    assert "After round 1" not in table and "Incomplete" in table


async def test_after_race_2_round_1_is_over() -> None:
    at = "2022-04-25T00:01+02:00"
    text = await ask(CATALOG, "/driver jessica", at)
    assert "Race 2 5th — 3rd in the championship, 44 pts" in text
    table = await ask(CATALOG, "/standings tcr-germany-2022", at)
    assert "After round 1 of 7 (Oschersleben)" in table


def _two_rounds() -> Catalog:
    entries = (Entry(("ada",), team="A"), Entry(("bea",), team="B"))
    return build(
        event(
            "one",
            1,
            session("one", "race", row(1, "ada"), row(2, "bea"), day=date(2022, 4, 23)),
            entries=entries,
        ),
        event(
            "two",
            2,
            session("two", "race-1", row(1, "bea"), row(2, "ada"), day=date(2022, 5, 21)),
            session("two", "race-2", row(1, "bea"), day=date(2022, 5, 22)),
            entries=entries,
        ),
    )


async def test_a_chosen_weekend_gives_the_place_after_it() -> None:
    catalog = _two_rounds()
    after_two = "2022-06-01T12:00+02:00"
    now_page = await ask(catalog, "/driver ada", after_two)
    assert "2nd in the championship, 45 pts" in now_page
    first_weekend = await ask(catalog, f"/driver ada {SERIES}/one", after_two)
    assert "1st in the championship, 25 pts" in first_weekend
    # While weekend two runs, its page is as of now: race 1 is in, race 2 not yet.
    during = await ask(catalog, f"/driver ada {SERIES}/two", "2022-05-22T09:00+02:00")
    assert "1st in the championship, 45 pts" in during


async def test_next_tcr_in_may_says_the_next_dates_are_not_published() -> None:
    reply = await service(CATALOG, "2022-05-20T00:00+02:00").next("tcr")
    text = render(reply, colour=False)
    assert "seasons it covers are over" not in text
    assert "The next rounds' dates for TCR Germany 2022 are not published yet." in text
    assert "TCR Germany 2022: 6 of 7 rounds to come." in text
    assert "Red Bull Ring (TCR Germany 2022, round 2 of 7, a little over a month after" in text
    # Only what matches the filter: the 24H weekend that ended on 15 May is not TCR's.
    assert "Hankook" not in text and "24H" not in text
    assert "The last event was Oschersleben" in text


async def test_a_driver_filter_names_only_the_drivers_events() -> None:
    text = render(await service(CATALOG, "2022-05-20T00:00+02:00").next("jessica"), colour=False)
    assert "Red Bull Ring" in text and "Hockenheimring (season final)" not in text
    assert "Hankook" not in text and "The last event was Oschersleben" in text


async def test_next_after_the_seasons_still_says_they_are_over() -> None:
    reply = await service(CATALOG, "2026-11-21T12:00+01:00").next("tcr")
    text = render(reply, colour=False)
    assert "the seasons it covers are over" in text and "Ljungbyhed" not in text
    assert "Never given dates in the data: Red Bull Ring (TCR Germany 2022)" in text


async def test_a_teams_table_from_incomplete_results_is_not_shown_as_the_championship() -> None:
    reply = await service(CATALOG, "2022-05-01T12:00+02:00").standings("tcr", "teams")
    text = render(reply, colour=False)
    lines = text.split("\n")
    warning = "Incomplete: points from the results we have only, not the championship order."
    # Said before the table, and no championship positions in it.
    assert lines.index(warning) < next(i for i, line in enumerate(lines) if "ROJA" in line)
    assert "Pos" not in text
    assert [line.split() for line in lines if "ROJA" in line] == [["ROJA", "Motorsport", "44"]]


async def test_a_complete_table_keeps_its_positions() -> None:
    catalog = _two_rounds()
    text = render(
        await service(catalog, "2022-06-01T12:00+02:00").standings(SERIES, "teams"), colour=False
    )
    assert "Incomplete" not in text
    assert [line.split() for line in text.split("\n") if line.strip().startswith(("1", "2"))] == [
        ["1", "B", "70"],
        ["2", "A", "45"],
    ]
