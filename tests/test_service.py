"""The service on the real bundled 2022 data: what a fan sees for each command."""

from datetime import datetime
from pathlib import Path

import pytest

from bot.core.catalog import CatalogHolder
from bot.core.clock import FixedClock
from bot.core.reply import Reply, ReplyStatus
from bot.core.schedules import load_catalog
from bot.core.service import ChatContext, Service
from bot.frontends.console.render import render

SCHEDULES = Path(__file__).resolve().parent.parent / "schedules"
CATALOG = load_catalog(SCHEDULES)


def service_at(iso: str) -> Service:
    return Service(CatalogHolder(CATALOG), FixedClock(datetime.fromisoformat(iso)))


def text_of(reply: Reply) -> str:
    return render(reply, colour=False)


async def ask(
    line: str, at: str = "2022-05-12T09:00+02:00", zone: str = "Europe/Stockholm"
) -> Reply:
    return await service_at(at).handle(line, ChatContext(zone=zone))


async def test_jessicas_weekend_line_after_oschersleben() -> None:
    reply = await ask("/driver jessica", at="2022-04-25T12:00+02:00")
    assert reply.status is ReplyStatus.OK
    assert (
        "FP1 2nd · FP2 2nd · Q1 2nd · Race 1 WIN · Q2 DNS (fuel pump) · Race 2 5th"
        " — 3rd in the championship, 44 pts"
    ) in text_of(reply)


async def test_weekend_reveals_results_only_once_sessions_are_over() -> None:
    saturday = text_of(await ask("/driver jessica-backman", at="2022-04-24T09:00+02:00"))
    assert "Race 1 WIN" in saturday and "Race 2" not in saturday


async def test_accentless_driver_names_and_ambiguity() -> None:
    emil = await ask("/driver sallberg")
    assert emil.title == "Emil Sällberg"
    assert "#120 · Lestrup Racing Team · Audi RS 3 LMS TCR" in text_of(emil)
    which = await ask("/driver backman")
    assert which.status is ReplyStatus.AMBIGUOUS
    assert {c.command for c in which.choices} == {
        "/driver jessica-backman",
        "/driver andreas-backman",
    }


async def test_unknown_driver_suggests_the_nearest() -> None:
    reply = await ask("/driver jesica")
    assert reply.status is ReplyStatus.NOT_FOUND
    assert "Did you mean Jessica Bäckman" in text_of(reply)


async def test_standings_show_the_published_table_and_say_so() -> None:
    reply = await ask("/standings tcr-germany-2022")
    text = text_of(reply)
    assert reply.status is ReplyStatus.OK
    assert (
        text.index("Martin Andersen") < text.index("Jonas Karklys") < text.index("Jessica Bäckman")
    )
    assert "65" in text and "55" in text and "44" in text
    assert "Published standings" in text and "incomplete" in text


async def test_standings_without_a_series_offers_every_series() -> None:
    reply = await ask("/standings")
    assert reply.status is ReplyStatus.AMBIGUOUS
    assert {c.command for c in reply.choices} == {
        "/standings tcr-germany-2022",
        "/standings 24h-series-2022",
        "/standings stcc-2022",
    }


async def test_next_counts_down_to_hockenheim_free_practice() -> None:
    reply = await ask("/next")
    text = text_of(reply)
    assert reply.title == "Next up"
    first = text.index("Free Practice")
    assert "Fri 13 May 16:20 CEST · in 1 d 7 h" in text[first:]
    assert "youtube.com/24HSeries" in text


async def test_next_filtered_by_driver() -> None:
    reply = await ask("/next andreas", at="2022-05-16T09:00+02:00")
    assert reply.title == "Next for Andreas Bäckman"
    text = text_of(reply)
    assert "Ljungbyhed — STCC 2022, round 1" in text and "3–4 Jun 2022" in text
    assert "TCR Germany" not in text


async def test_next_after_the_season_says_so_and_names_the_last_event() -> None:
    reply = await ask("/next", at="2026-11-21T12:00+01:00")
    text = text_of(reply)
    assert reply.status is ReplyStatus.EMPTY
    assert "over" in text and "Ljungbyhed" in text and "3–4 Jun 2022" in text


async def test_timetable_in_another_time_zone() -> None:
    reply = await ask("/schedule 24h-series-2022/hockenheim", zone="America/New_York")
    text = text_of(reply)
    assert "10:20" in text  # 16:20 CEST
    assert "America/New_York (EDT)" in text and "Europe/Berlin (CEST)" in text


async def test_ambiguous_event_asks_which_hockenheim() -> None:
    reply = await ask("/schedule hockenheim")
    assert reply.status is ReplyStatus.AMBIGUOUS
    assert {c.command for c in reply.choices} == {
        "/schedule tcr-germany-2022/hockenheim",
        "/schedule 24h-series-2022/hockenheim",
    }


async def test_watch_gives_stream_and_live_timing() -> None:
    text = text_of(await ask("/watch"))
    assert "https://youtube.com/24HSeries" in text
    assert "https://livetiming.getraceresults.com/24hseries" in text


async def test_results_partial_and_not_yet() -> None:
    done = await ask("/results tcr-germany-2022/oschersleben/race-1", at="2022-04-25T12:00+02:00")
    assert "Jessica Bäckman" in text_of(done) and "Partial results" in text_of(done)
    early = await ask("/results tcr-germany-2022/oschersleben/race-1", at="2022-04-20T12:00+02:00")
    assert "No results yet" in text_of(early)


async def test_track_facts() -> None:
    text = text_of(await ask("/track hockenheim"))
    assert "4.574 km" in text and "16" in text and "1:47.095" in text
    assert "Baden-Württemberg" in text


async def test_help_and_unknown_commands() -> None:
    listing = text_of(await ask("/help"))
    for name in ("/next", "/schedule", "/watch", "/standings", "/results", "/driver", "/track"):
        assert name in listing
    typo = await ask("/stnadings tcr")
    assert typo.status is ReplyStatus.INVALID and "/standings" in text_of(typo)


async def test_bad_time_zone_gets_a_suggestion() -> None:
    reply = await service_at("2022-05-12T09:00+02:00").next(zone="Europe/Stokholm")
    assert reply.status is ReplyStatus.INVALID and "Europe/Stockholm" in text_of(reply)


@pytest.mark.parametrize("city", ["stockholm", "New York", "new_york"])
async def test_city_names_are_time_zones(city: str) -> None:
    reply = await service_at("2022-05-12T09:00+02:00").next(zone=city)
    assert reply.status is ReplyStatus.OK
