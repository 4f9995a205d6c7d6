"""The page's and the calendar feeds' own words in Swedish and German (English: test_page.py,
test_calendar_feed.py): headings and buttons through the real server, `<html lang>` following
the language, the feeds' SUMMARY and DESCRIPTION lines, the 404 texts."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.chats import Caller
from bot.config import Config
from bot.core.audience import ChatRef
from bot.core.i18n import use_language
from bot.feeds.ics import build_feed
from bot.frontends.console.render import render
from tests.web.conftest import WebBot, running_web_bot
from tests.web.test_calendar_chats import runtime_with
from tests.web.test_calendar_feed import CALLED_OFF, STAMP, TBA, _catalog, _parse
from tests.web.test_page_browser import dump_dom, parsed

HOCKENHEIM = "/s/24h-series-2022/hockenheim"

PAGE = {
    "en": [
        '<html lang="en">',
        "<h2>Timetable</h2>",
        '<th scope="col">Session</th><th scope="col">When</th><th scope="col">Length</th>',
        ">Subscribe to calendar</a>",
        "24H Series 2022: every round</a>",
    ],
    "sv": [
        '<html lang="sv">',
        "<h2>Tidsschema</h2>",
        '<th scope="col">Pass</th><th scope="col">När</th><th scope="col">Längd</th>',
        ">Prenumerera på kalendern</a>",
        "24H Series 2022: alla deltävlingar</a>",
    ],
    "de": [
        '<html lang="de">',
        "<h2>Zeitplan</h2>",
        '<th scope="col">Session</th><th scope="col">Wann</th><th scope="col">Länge</th>',
        ">Kalender abonnieren</a>",
        "24H Series 2022: alle Läufe</a>",
    ],
}


@pytest.mark.parametrize("language", ["en", "sv", "de"])
async def test_the_page_headings_and_buttons_in_each_language(
    web_bot: WebBot, language: str
) -> None:
    answer = await web_bot.get(f"{HOCKENHEIM}?lang={language}")
    assert answer.status == 200
    for expected in PAGE[language]:
        assert expected in answer.text


async def test_the_index_and_a_404_page_in_swedish_and_german(web_bot: WebBot) -> None:
    index = await web_bot.get("/?lang=de")
    assert "<title>Pitboard: alle Serien</title>" in index.text
    assert "· 1 Rennwochenende · 13.–15. Mai 2022</span>" in index.text
    missing = await web_bot.get("/s/nope", headers={"Accept-Language": "sv-SE"})
    assert missing.status == 404
    assert '<html lang="sv">' in missing.text and "<h1>Hittades inte</h1>" in missing.text
    assert "<p>Det finns ingen serie ”nope”.</p>" in missing.text


async def test_an_unknown_feed_is_explained_in_the_asked_language(web_bot: WebBot) -> None:
    answer = await web_bot.get("/calendar/tcr-germany-2021.ics?lang=de")
    assert answer.status == 404
    assert answer.text == (
        "Keine Serie hat die ID „tcr-germany-2021“. Der Feed einer Serie liegt unter "
        "/calendar/SERIES.ics. Meintest du tcr-germany-2022?\n"
    )


FEED = {
    "sv": (
        "Night Cup: Night race – Tba (tid meddelas senare)",
        "Night Cup, Night race: Tba.\n"
        "Tid meddelas senare: starttiden den lör 4 juni 2022 är inte publicerad ännu.\n"
        "Pass-id: night-cup-2022/dst/tba",
        "Inställt.\n"
        "Night Cup, Night race: Called Off.\n"
        "Lokal tid på banan: Europe/Berlin.\n"
        "Titta: YouTube https://youtube.example/night\n"
        "Livetiming: https://timing.example/night\n"
        "Pass-id: night-cup-2022/dst/called-off",
    ),
    "de": (
        "Night Cup: Night race – Tba (Zeit folgt)",
        "Night Cup, Night race: Tba.\n"
        "Zeit folgt: Der Start am Sa., 4. Juni 2022 ist noch nicht veröffentlicht.\n"
        "Session-ID: night-cup-2022/dst/tba",
        "Abgesagt.\n"
        "Night Cup, Night race: Called Off.\n"
        "Ortszeit an der Strecke: Europe/Berlin.\n"
        "Übertragung: YouTube https://youtube.example/night\n"
        "Live-Timing: https://timing.example/night\n"
        "Session-ID: night-cup-2022/dst/called-off",
    ),
}


@pytest.mark.parametrize("language", ["sv", "de"])
def test_the_feeds_texts_in_swedish_and_german(language: str) -> None:
    with use_language(language):
        body = build_feed(
            _catalog(TBA, CALLED_OFF), [TBA, CALLED_OFF], name="t", versions={}, stamp=STAMP
        )
    items = _parse(body)
    tba, called_off = items[f"{TBA.id}@pitboard"], items[f"{CALLED_OFF.id}@pitboard"]
    summary, tba_text, called_off_text = FEED[language]
    assert str(tba["SUMMARY"]) == summary  # type: ignore[index]
    assert str(tba["DESCRIPTION"]) == tba_text  # type: ignore[index]
    assert str(called_off["DESCRIPTION"]) == called_off_text  # type: ignore[index]
    # iCalendar's own values are not words for a person: never translated.
    assert str(called_off["STATUS"]) == "CANCELLED"  # type: ignore[index]


@pytest.mark.parametrize(
    ("language", "refusal"),
    [
        ("sv", "Den här boten erbjuder inga kalenderflöden."),
        ("de", "Dieser Bot bietet keine Kalender-Feeds an."),
    ],
)
async def test_calendar_without_feeds_is_refused_in_the_chats_language(
    tmp_path: Path, language: str, refusal: str
) -> None:
    async with runtime_with(tmp_path, Config()) as runtime:
        fan = Caller(ChatRef("console", f"fan-{language}"), user_id="fan", language=language)
        refused = await runtime.router.handle("/calendar tcr-germany-2022", fan)
        with use_language(refused.locale.language):
            assert render(refused, colour=False).strip() == refusal


@pytest.mark.parametrize(
    ("language", "day", "note", "tooltip"),
    [
        (
            "sv",
            "fre 13 maj",
            "Tider i din tidszon (Asia/Tokyo).",
            "På banan: fre 13 maj 16:20 CEST",
        ),
        (
            "de",
            "Fr., 13. Mai",
            "Zeiten in deiner Zeitzone (Asia/Tokyo).",
            "An der Strecke: Fr., 13. Mai 16:20 CEST",
        ),
    ],
)
async def test_the_browser_writes_the_visitors_times_in_the_pages_language(
    tmp_path: Path, language: str, day: str, note: str, tooltip: str
) -> None:
    """The script's own words come from the catalogs; the day and month names from the
    browser's CLDR data for the page's language (their punctuation varies a little between
    browser versions, so only the day and the time are pinned)."""
    async with running_web_bot(tmp_path) as bot:
        dom = await dump_dom(
            f"{bot.url}{HOCKENHEIM}?lang={language}", "Asia/Tokyo", tmp_path / "profile"
        )
    found = parsed(dom)
    shown = found.times["2022-05-13T14:20:00Z"]
    assert shown.startswith(day) and "23:20" in shown
    assert found.notes == [note]
    assert f'title="{tooltip}"' in dom
