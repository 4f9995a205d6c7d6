"""The feeds served by the real runtime's web server: ETag/304, 404s, a chat's private link,
and SEQUENCE bumped for a moved session only, across reloads and restarts."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, time, timedelta
from pathlib import Path

from icalendar import Calendar

from bot.chats import Caller
from bot.core.audience import ChatRef
from bot.core.catalog import Catalog
from bot.core.clock import FixedClock
from bot.core.schedules import load_catalog
from bot.frontends.console.render import render
from bot.runtime import Runtime
from tests.web.conftest import QUIET_DAY, SCHEDULES, WebBot, running_web_bot

OPERATOR = Caller(ChatRef("console", "terminal"), user_id="operator", is_admin=True)
FEED = "/calendar/24h-series-2022.ics"
# As the client hands the headers over (aiohttp spells them "Etag", "Content-Type").
ETAG, CONTENT_TYPE = "Etag", "Content-Type"


def _first_timed_session(catalog: Catalog, series_id: str) -> str:
    return next(s.id for s in catalog.timeline if s.series_id == series_id and not s.is_tba)


def moved(catalog: Catalog, session_id: str, hours: int) -> Catalog:
    """The catalog with one session `hours` later, as a reload of an edited file gives."""

    def shift(session):  # type: ignore[no-untyped-def]
        if session.id != session_id:
            return session
        start = datetime.combine(session.day, session.local_time) + timedelta(hours=hours)
        return replace(session, day=start.date(), local_time=time(start.hour, start.minute))

    series = [
        replace(
            s, events=tuple(replace(e, sessions=tuple(map(shift, e.sessions))) for e in s.events)
        )
        for s in catalog.series.values()
    ]
    return Catalog.build(
        series, catalog.drivers.values(), catalog.tracks.values(), catalog.scales.values()
    )


def _events(body: bytes) -> dict[str, object]:
    return {str(e["UID"]): e for e in Calendar.from_ical(body).walk("VEVENT")}


async def test_a_series_feed_is_text_calendar_and_a_repeat_poll_gets_304(web_bot: WebBot) -> None:
    first = await web_bot.get(FEED)
    assert first.status == 200
    assert first.headers[CONTENT_TYPE] == "text/calendar; charset=utf-8"
    catalog = web_bot.runtime.catalogs.current
    sessions = [s for s in catalog.timeline if s.series_id == "24h-series-2022"]
    assert set(_events(first.body)) == {f"{s.id}@pitboard" for s in sessions}
    etag = first.headers[ETAG]
    again = await web_bot.get(FEED, headers={"If-None-Match": etag})
    assert again.status == 304 and again.body == b"" and again.headers[ETAG] == etag
    other = await web_bot.get(FEED, headers={"If-None-Match": '"something-else"'})
    assert other.status == 200 and other.body == first.body


async def test_unknown_series_driver_or_token_is_a_helpful_404(web_bot: WebBot) -> None:
    series = await web_bot.get("/calendar/tcr-germany-2021.ics")
    assert series.status == 404 and "tcr-germany-2022" in series.text
    driver = await web_bot.get("/calendar/driver/jessica-bakman.ics")
    assert driver.status == 404 and "jessica-backman" in driver.text
    chat = await web_bot.get("/calendar/chat/AAAAAAAAAAAAAAAAAAAAAAAA.ics")
    assert chat.status == 404 and "/calendar" in chat.text
    found = await web_bot.get("/calendar/driver/jessica-backman.ics")
    assert found.status == 200 and _events(found.body)


async def test_a_chats_link_serves_what_it_follows_and_another_token_is_404(
    web_bot: WebBot,
) -> None:
    router = web_bot.runtime.router
    reply = await router.handle("/calendar", OPERATOR)
    text = render(reply, colour=False)
    urls = re.findall(r"http://127\.0\.0\.1:\d+(/calendar/chat/[A-Za-z0-9_-]+\.ics)", text)
    assert urls and f"webcal://{web_bot.url.removeprefix('http://')}{urls[0]}" in text
    path = urls[0]
    empty = await web_bot.get(path)
    assert empty.status == 200 and _events(empty.body) == {}
    await router.handle("/subscribe tcr-germany-2022 races", OPERATOR)
    followed = await web_bot.get(path)
    assert followed.status == 200 and followed.headers[ETAG] != empty.headers[ETAG]
    uids = set(_events(followed.body))
    catalog = web_bot.runtime.catalogs.current
    races = {
        s.id for s in catalog.timeline if s.series_id == "tcr-germany-2022" and s.kind == "race"
    }
    assert uids == {f"{s}@pitboard" for s in races} and races
    # The same link every time; a token that is not this chat's finds nothing.
    assert path in render(await router.handle("/calendar", OPERATOR), colour=False)
    token = path.removeprefix("/calendar/chat/").removesuffix(".ics")
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert (await web_bot.get(f"/calendar/chat/{forged}.ics")).status == 404


async def test_calendar_series_gives_that_series_links(web_bot: WebBot) -> None:
    text = render(
        await web_bot.runtime.router.handle("/calendar tcr germany", OPERATOR), colour=False
    )
    assert f"{web_bot.url}/calendar/tcr-germany-2022.ics" in text
    assert "webcal://" in text and "ADAC TCR Germany" in text


async def test_a_moved_session_keeps_its_uid_and_bumps_its_sequence_across_restarts(
    tmp_path: Path,
) -> None:
    catalog = load_catalog(SCHEDULES)
    session_id = _first_timed_session(catalog, "24h-series-2022")
    uid = f"{session_id}@pitboard"
    untouched = next(
        f"{s.id}@pitboard"
        for s in catalog.timeline
        if s.series_id == "24h-series-2022" and s.id != session_id
    )
    async with running_web_bot(tmp_path) as bot:
        first = _events((await bot.get(FEED)).body)[uid]
        assert first["SEQUENCE"] == 0  # type: ignore[index]
        stamped = first.decoded("LAST-MODIFIED")  # type: ignore[attr-defined]
        assert stamped == QUIET_DAY
    # A restart a day later with the same data: nothing moved, nothing bumps.
    next_day = FixedClock(QUIET_DAY + timedelta(days=1))
    async with running_web_bot(tmp_path, clock=next_day) as bot:
        again = _events((await bot.get(FEED)).body)[uid]
        assert again["SEQUENCE"] == 0  # type: ignore[index]
        assert again.decoded("LAST-MODIFIED") == stamped  # type: ignore[attr-defined]
        etag = (await bot.get(FEED)).headers[ETAG]
        # The organiser moves it two hours: a reload swaps the catalog in.
        bot.runtime.catalogs.swap(moved(bot.runtime.catalogs.current, session_id, 2))
        answer = await bot.get(FEED, headers={"If-None-Match": etag})
        assert answer.status == 200
        after = _events(answer.body)
        assert after[uid]["SEQUENCE"] == 1  # type: ignore[index]
        assert after[uid].decoded("LAST-MODIFIED") == next_day.now()  # type: ignore[attr-defined]
        start = after[uid].decoded("DTSTART")  # type: ignore[attr-defined]
        before = first.decoded("DTSTART")  # type: ignore[attr-defined]
        assert start - before == timedelta(hours=2)
        assert answer.body.count(f"UID:{uid}\r\n".encode()) == 1  # updated, not duplicated
        assert after[untouched]["SEQUENCE"] == 0  # type: ignore[index]

    async def still_moved(runtime: Runtime) -> None:
        runtime.catalogs.swap(moved(runtime.catalogs.current, session_id, 2))

    # Restarted with the moved timetable: what subscribers saw last is kept, no second bump.
    later = FixedClock(QUIET_DAY + timedelta(days=2))
    async with running_web_bot(tmp_path, clock=later, before_start=still_moved) as bot:
        kept = _events((await bot.get(FEED)).body)[uid]
        assert kept["SEQUENCE"] == 1  # type: ignore[index]
        assert kept.decoded("LAST-MODIFIED") == next_day.now()  # type: ignore[attr-defined]
