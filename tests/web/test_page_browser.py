"""The public page in a real browser: Debian's chromium, headless, with its `TZ` set to New York
and to Tokyo, shows every session at the right time in that zone — across both autumn clock
changes (Berlin's on 30 Oct 2022, New York's on 6 Nov) and a wall time that happens twice.
(What a browser without JavaScript shows, the track's times, is the served HTML itself:
tests/web/test_page.py checks it; chromium's --dump-dom prints nothing with scripts off.)

The expected texts are worked out here with zoneinfo for the same instants. Without chromium
the tests skip on a developer's machine, but fail in CI (`CI` set) or when
`PITBOARD_REQUIRE_BROWSER=1` (.ci/run installs chromium and sets it).
"""

from __future__ import annotations

import asyncio
import os
import shutil
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.web.conftest import QUIET_DAY, running_web_bot
from tests.web.test_page import AUTUMN_TIMES, with_autumn_cup

BROWSER_NAMES = ("chromium", "chromium-browser")


def browser() -> str:
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    message = "chromium is not installed (Debian: apt-get install chromium)"
    if os.environ.get("CI") or os.environ.get("PITBOARD_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{message}; CI and PITBOARD_REQUIRE_BROWSER=1 need it")
    pytest.skip(message)


async def dump_dom(url: str, zone: str, profile: Path) -> str:
    """The page's DOM after its scripts ran, in a headless chromium whose zone is `zone`."""
    argv = [
        browser(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        # No internet here: nothing may try to reach it (updates, sync, safe browsing lists).
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--virtual-time-budget=10000",
        "--dump-dom",
        url,
    ]
    env = {**os.environ, "TZ": zone}
    # The page is served by this same event loop: the browser must not block it.
    process = await asyncio.create_subprocess_exec(
        *argv, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    async with asyncio.timeout(180):  # a generous limit for a busy machine, not an assertion
        out, err = await process.communicate()
    assert process.returncode == 0, err.decode(errors="replace")[-2000:]
    return out.decode("utf-8")


class TimeElements(HTMLParser):
    """Every `<time data-convert>`'s datetime -> its text, and the zone notes' texts."""

    def __init__(self) -> None:
        super().__init__()
        self.times: dict[str, str] = {}
        self.notes: list[str] = []
        self._open: tuple[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "time" and "data-convert" in found:
            self._open = ("time", found["datetime"] or "")
        elif "data-zone-note" in found:
            self._open = ("note", "")

    def handle_data(self, data: str) -> None:
        if self._open is None:
            return
        kind, key = self._open
        if kind == "time":
            self.times[key] = self.times.get(key, "") + data
        else:
            self.notes.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._open = None


def parsed(dom: str) -> TimeElements:
    parser = TimeElements()
    parser.feed(dom)
    return parser


def shown_in(zone: str, iso: str) -> str:
    """What the page should show for `iso` in `zone`: 'Sat 29 Oct 08:00 GMT-4'."""
    local = datetime.fromisoformat(iso).astimezone(ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%b} {local:%H:%M} {gmt_offset(local.utcoffset())}"


def gmt_offset(offset: timedelta | None) -> str:
    minutes = int((offset or timedelta(0)).total_seconds() // 60)
    sign, minutes = ("+" if minutes >= 0 else "-"), abs(minutes)
    hours, rest = divmod(minutes, 60)
    return f"GMT{sign}{hours}" + (f":{rest:02d}" if rest else "")


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Tokyo"])
async def test_the_browser_shows_every_time_in_its_own_zone(tmp_path: Path, zone: str):
    async with running_web_bot(tmp_path, before_start=with_autumn_cup(tmp_path)) as bot:
        dom = await dump_dom(f"{bot.url}/s/autumn-cup-2022", zone, tmp_path / "profile")
    found = parsed(dom)
    assert found.times == {iso: shown_in(zone, iso) for iso in AUTUMN_TIMES}
    assert found.notes == [f"Times in your time zone ({zone})."] * 2


async def test_new_york_sees_its_own_and_berlins_clock_changes(tmp_path: Path):
    """The same instants written out by hand: the helper above cannot hide a shared mistake."""
    async with running_web_bot(tmp_path, before_start=with_autumn_cup(tmp_path)) as bot:
        dom = await dump_dom(f"{bot.url}/s/autumn-cup-2022", "America/New_York", tmp_path / "p")
    assert parsed(dom).times == {
        "2022-10-29T12:00:00Z": "Sat 29 Oct 08:00 GMT-4",
        # The second 02:30 in Berlin (CET): 01:30 UTC, the evening before in New York.
        "2022-10-30T01:30:00Z": "Sat 29 Oct 21:30 GMT-4",
        # 14:00 in Berlin both days, but Berlin left summer time overnight: an hour later.
        "2022-10-30T13:00:00Z": "Sun 30 Oct 09:00 GMT-4",
        "2022-11-05T14:00:00Z": "Sat 5 Nov 10:00 GMT-4",
        # 14:00 in London both days, but New York left summer time that night.
        "2022-11-06T14:00:00Z": "Sun 6 Nov 09:00 GMT-5",
    }


async def test_tokyo_sees_the_bundled_weekend_on_its_own_clock(tmp_path: Path):
    async with running_web_bot(tmp_path) as bot:
        assert bot.runtime.clock.now() == QUIET_DAY
        dom = await dump_dom(
            f"{bot.url}/s/24h-series-2022/hockenheim", "Asia/Tokyo", tmp_path / "p"
        )
    assert parsed(dom).times == {
        "2022-05-13T14:20:00Z": "Fri 13 May 23:20 GMT+9",
        "2022-05-13T17:05:00Z": "Sat 14 May 02:05 GMT+9",
        "2022-05-14T11:55:00Z": "Sat 14 May 20:55 GMT+9",
        "2022-05-15T12:05:00Z": "Sun 15 May 21:05 GMT+9",
    }


def test_a_missing_browser_skips_on_a_laptop_but_fails_in_ci(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("PITBOARD_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception):
        browser()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="chromium is not installed"):
        browser()
    monkeypatch.delenv("CI")
    monkeypatch.setenv("PITBOARD_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="chromium is not installed"):
        browser()
