"""The public page over HTTP: what it shows is true at the clock's now, it is cached per cut
with an ETag, unknown names get a 404 page, the buttons follow the config, and the times carry
the UTC instant for the browser with the track's local time as the text shown without
JavaScript. (tests/web/test_page_browser.py checks the conversion in a real browser.)"""

from __future__ import annotations

import re
import shutil
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

import pytest

from bot.config import Config, ConfigError, TelegramConfig, WebConfig, load_config
from bot.core.clock import FixedClock
from bot.core.schedules import load_catalog
from bot.runtime import Runtime
from bot.web import page
from tests.web.conftest import QUIET_DAY, SCHEDULES, Fetched, running_web_bot

# A series across both autumn clock changes: Berlin goes back on 30 Oct 2022, New York on 6 Nov.
AUTUMN_CUP = """
[series]
id = "autumn-cup-2022"
name = "Autumn <Cup> & Co"
season = 2022

[[events]]
id = "berlin"
name = "Berlin weekend"
round = 1
timezone = "Europe/Berlin"
start_date = 2022-10-29
end_date = 2022-10-30
live_timing = "https://example.org/timing?a=1&b=2"

[[events.broadcasts]]
name = "Autumn Cup TV"
url = "https://example.org/tv"

[[events.sessions]]
id = "qualifying"
name = "Qualifying"
kind = "qualifying"
date = 2022-10-29
time = "14:00"

[[events.sessions]]
id = "night-race"
name = "Night Race"
kind = "race"
date = 2022-10-30
time = "02:30"
utc_offset = "+01:00"
duration = "1h"

[[events.sessions]]
id = "race"
name = "Race"
kind = "race"
date = 2022-10-30
time = "14:00"

[[events]]
id = "london"
name = "London weekend"
round = 2
timezone = "Europe/London"
start_date = 2022-11-05
end_date = 2022-11-06

[[events.sessions]]
id = "race-1"
name = "Race 1"
kind = "race"
date = 2022-11-05
time = "14:00"

[[events.sessions]]
id = "race-2"
name = "Race 2"
kind = "race"
date = 2022-11-06
time = "14:00"
"""

# Every timed session of the Autumn Cup: its UTC instant and its text at the track.
AUTUMN_TIMES = {
    "2022-10-29T12:00:00Z": "Sat 29 Oct 14:00 CEST",
    "2022-10-30T01:30:00Z": "Sun 30 Oct 02:30 CET",
    "2022-10-30T13:00:00Z": "Sun 30 Oct 14:00 CET",
    "2022-11-05T14:00:00Z": "Sat 5 Nov 14:00 GMT",
    "2022-11-06T14:00:00Z": "Sun 6 Nov 14:00 GMT",
}


def autumn_schedules(tmp_path: Path) -> Path:
    """The bundled schedules plus the Autumn Cup, in a folder of their own."""
    folder = tmp_path / "schedules"
    shutil.copytree(SCHEDULES, folder)
    (folder / "2022" / "autumn-cup.toml").write_text(AUTUMN_CUP, encoding="utf-8")
    return folder


def with_autumn_cup(tmp_path: Path) -> Callable[[Runtime], Awaitable[None]]:
    catalog = load_catalog(autumn_schedules(tmp_path))

    async def swap(runtime: Runtime) -> None:
        runtime.catalogs.swap(catalog)

    return swap


def times_in(html: str) -> dict[str, str]:
    """`<time datetime data-convert>` instant -> its text."""
    found = re.findall(r'<time datetime="([^"]+)" data-convert[^>]*>([^<]*)</time>', html)
    return dict(found)


def etag_of(answer: Fetched) -> str:
    return next(value for name, value in answer.headers.items() if name.lower() == "etag")


def main_text(html: str) -> str:
    main = html.split("<main>", 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


async def test_the_index_lists_every_series_with_a_link(web_bot):
    answer = await web_bot.get("/")
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    for series_id in ("tcr-germany-2022", "24h-series-2022", "stcc-2022"):
        assert f'href="{web_bot.url}/s/{series_id}"' in answer.text


async def test_a_page_is_accessible_markup(web_bot):
    html = (await web_bot.get("/s/24h-series-2022")).text
    assert html.startswith('<!doctype html>\n<html lang="en">')
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "<h1>24H Series 2022</h1>" in html and "<h2>Timetable</h2>" in html
    assert html.count('<th scope="col"') >= 3 and '<th scope="row">Free Practice</th>' in html
    # No asset from elsewhere: the page works offline and loads in one request.
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", html)


async def test_times_carry_the_utc_instant_and_show_the_track_time_without_javascript(web_bot):
    html = (await web_bot.get("/s/24h-series-2022/hockenheim")).text
    assert times_in(html) == {
        "2022-05-13T14:20:00Z": "Fri 13 May 16:20 CEST",
        "2022-05-13T17:05:00Z": "Fri 13 May 19:05 CEST",
        "2022-05-14T11:55:00Z": "Sat 14 May 13:55 CEST",
        "2022-05-15T12:05:00Z": "Sun 15 May 14:05 CEST",
    }
    assert "Times at the track: Europe/Berlin (CEST)." in html
    assert '<a href="https://youtube.com/24HSeries">24H Series on YouTube</a>' in html
    assert '<a href="https://livetiming.getraceresults.com/24hseries">Live timing</a>' in html


async def test_a_tba_session_shows_its_day_and_is_not_converted(web_bot):
    html = (await web_bot.get("/s/tcr-germany-2022/oschersleben")).text
    assert '<time datetime="2022-04-23">Sat 23 Apr</time> · time TBA' in html
    assert times_in(html) == {}
    # Nothing for the browser to convert: no note claiming times in the visitor's zone.
    assert "data-zone-note>" not in html


async def test_results_and_standings_are_those_known_at_the_clocks_now(tmp_path: Path):
    # Saturday of Oschersleben: both practices are over (TBA: at the end of Friday), the
    # qualifying and Race 1 of the day are not.
    clock = FixedClock(datetime.fromisoformat("2022-04-23T12:00+02:00"))
    async with running_web_bot(tmp_path, clock=clock) as bot:
        text = main_text((await bot.get("/s/tcr-germany-2022")).text)
        assert "Latest results Free Practice 2 — Oschersleben" in text
        assert "Race 1 — Oschersleben" not in text and "Martin Andersen" not in text
        assert "ADAC TCR Germany 2022 — drivers No results yet." in text

        # The same server, the clock past the weekend: the cached page is not served again.
        clock.set(QUIET_DAY)
        text = main_text((await bot.get("/s/tcr-germany-2022")).text)
        assert "Latest results Race 2 — Oschersleben" in text
        assert "After round 1 of 7 (Oschersleben)" in text
        assert "1 Martin Andersen DK 65" in text

        event = main_text((await bot.get("/s/tcr-germany-2022/oschersleben")).text)
        for session in ("Free Practice 1", "Qualifying 1", "Race 1", "Qualifying 2", "Race 2"):
            assert f"{session} — Oschersleben" in event


async def test_the_page_is_kept_per_cut_and_revalidates_with_its_etag(tmp_path: Path, monkeypatch):
    renders: list[str] = []
    original = page._rendered

    def counting(status: int, template: str, **values: object) -> page.Rendered:
        renders.append(template)
        return original(status, template, **values)

    monkeypatch.setattr(page, "_rendered", counting)
    clock = FixedClock(datetime.fromisoformat("2022-04-23T12:00+02:00"))
    async with running_web_bot(tmp_path, clock=clock) as bot:
        first = await bot.get("/s/tcr-germany-2022")
        clock.set(datetime.fromisoformat("2022-04-23T23:00+02:00"))  # Saturday's still running
        second = await bot.get("/s/tcr-germany-2022")
        assert renders == ["series.html"]
        assert first.body == second.body and etag_of(first) == etag_of(second)

        etag = etag_of(first)
        again = await bot.get("/s/tcr-germany-2022", headers={"If-None-Match": etag})
        assert (again.status, again.body, etag_of(again)) == (304, b"", etag)

        # Saturday is over (its TBA sessions end with the day): Race 1's result is in.
        clock.set(datetime.fromisoformat("2022-04-24T00:30+02:00"))
        moved = await bot.get("/s/tcr-germany-2022", headers={"If-None-Match": etag})
        assert moved.status == 200 and etag_of(moved) != etag
        assert "Race 1 — Oschersleben" in moved.text
        assert renders == ["series.html", "series.html"]


@pytest.mark.parametrize(
    "path, message",
    [
        ("/s/no-such-series", "There is no series “no-such-series”."),
        ("/s/tcr-germany-2022/monza", "ADAC TCR Germany 2022 has no event “monza”."),
    ],
)
async def test_an_unknown_series_or_event_is_a_404_page(web_bot, path: str, message: str):
    answer = await web_bot.get(path)
    assert answer.status == 404
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1>Not found</h1>" in answer.text and message in answer.text


async def test_the_buttons_link_the_series_calendar_and_hide_follow_without_a_target(web_bot):
    html = (await web_bot.get("/s/stcc-2022")).text
    feed = f"{web_bot.url}/calendar/stcc-2022.ics"
    assert f'href="{feed}">Calendar file (.ics)' in html
    assert f'href="webcal://{feed.removeprefix("http://")}">Subscribe to calendar' in html
    assert "Follow on Telegram" not in html and "Follow on Discord" not in html


async def test_the_follow_buttons_come_from_the_config(tmp_path: Path):
    web = WebConfig(
        public_url="https://pitboard.example.org/racing/",
        telegram_url="https://t.me/pitboard_bot",
        discord_url="https://discord.gg/abc123",
    )
    async with running_web_bot(tmp_path, web=web) as bot:
        html = (await bot.get("/s/stcc-2022")).text
    assert 'href="https://t.me/pitboard_bot">Follow on Telegram' in html
    assert 'href="https://discord.gg/abc123">Follow on Discord' in html
    feed = "pitboard.example.org/racing/calendar/stcc-2022.ics"
    assert f'href="https://{feed}"' in html and f'href="webcal://{feed}"' in html
    assert 'href="https://pitboard.example.org/racing/s/stcc-2022/ljungbyhed"' in html


async def test_the_telegram_button_falls_back_to_the_first_public_channel(tmp_path: Path):
    config = Config(telegram=TelegramConfig(channels=(-1001234, "@pitboard_news")))
    async with running_web_bot(tmp_path, config=config) as bot:
        html = (await bot.get("/s/stcc-2022")).text
    assert 'href="https://t.me/pitboard_news">Follow on Telegram' in html


async def test_names_and_links_from_the_data_are_escaped(tmp_path: Path):
    async with running_web_bot(tmp_path, before_start=with_autumn_cup(tmp_path)) as bot:
        html = (await bot.get("/s/autumn-cup-2022")).text
    assert "<h1>Autumn &lt;Cup&gt; &amp; Co 2022</h1>" in html and "<Cup>" not in html
    assert 'href="https://example.org/timing?a=1&amp;b=2"' in html
    assert times_in(html) == AUTUMN_TIMES


def test_the_follow_urls_are_read_and_checked(tmp_path: Path):
    path = tmp_path / "pitboard.toml"
    path.write_text(
        '[web]\ntelegram_url = "https://t.me/x_bot"\ndiscord_url = "https://discord.gg/x"\n',
        encoding="utf-8",
    )
    web = load_config(path, {}).web
    assert (web.telegram_url, web.discord_url) == ("https://t.me/x_bot", "https://discord.gg/x")
    path.write_text('[web]\ntelegram_url = "t.me/x_bot"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, {})
    assert "web.telegram_url: expected a URL starting with https://" in str(caught.value)
