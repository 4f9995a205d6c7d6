"""/settings language and /settings clock through the router on a real SQLite store, and a
new chat starting in the language its platform reports."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from bot.chats import Caller, Router
from bot.chats.settings import ChatSettings
from bot.chats.throttle import CommandThrottle
from bot.core.audience import ChatKind, ChatRef
from bot.core.catalog import CatalogHolder
from bot.core.clock import FixedClock
from bot.core.reply import Reply, ReplyStatus
from bot.core.schedules import load_catalog
from bot.core.service import Service
from bot.frontends.console.render import render
from bot.store.sqlite import SQLiteStore

SCHEDULES = Path(__file__).resolve().parents[2] / "schedules"
FAN = Caller(ChatRef("telegram", "42"), ChatKind.PRIVATE, user_id="42")


@pytest.fixture
async def setup(tmp_path: Path):
    store = SQLiteStore(tmp_path / "db.sqlite3")
    await store.open()
    catalogs = CatalogHolder(load_catalog(SCHEDULES))
    clock = FixedClock(datetime.fromisoformat("2022-05-12T09:00+02:00"))
    service = Service(catalogs, clock)
    settings = ChatSettings(
        store, service, clock, default_zone="Europe/Stockholm", default_reminders=(60, 15)
    )
    # A fan trying every setting in a row: no throttle in the way.
    throttle = CommandThrottle(burst=1000)
    yield Router(service, settings, None, throttle=throttle), store
    await store.close()


def text(reply: Reply) -> str:
    return render(reply, colour=False)


async def test_language_is_chosen_kept_and_used(setup) -> None:
    router, store = setup
    menu = await router.handle("/settings language", FAN)
    assert menu.status is ReplyStatus.AMBIGUOUS
    assert [c.label for c in menu.choices] == ["✓ English", "Svenska", "Deutsch"]
    done = await router.handle("/settings language svenska", FAN)
    # Confirmed in the language just chosen.
    assert text(done) == "Språk: Svenska."
    chat = await store.get_chat(FAN.chat)
    assert chat is not None and chat.language == "sv"
    overview = text(await router.handle("/settings", FAN))
    assert "Inställningar för den här chatten" in overview and "Språk: Svenska" in overview
    assert "Klocka: 24-timmars" in overview
    standings = text(await router.handle("/standings tcr-germany-2022", FAN))
    assert "Efter deltävling 1 av 7 (Oschersleben)" in standings
    await router.handle("/settings language de", FAN)
    assert "Nach Lauf 1 von 7" in text(await router.handle("/standings tcr-germany-2022", FAN))


async def test_the_clock_setting_changes_how_times_read(setup) -> None:
    router, store = setup
    asked = await router.handle("/settings clock", FAN)
    assert [c.command for c in asked.choices] == ["/settings clock 24", "/settings clock 12"]
    assert text(await router.handle("/settings clock 12", FAN)) == (
        "Times are now shown on a 12-hour clock."
    )
    chat = await store.get_chat(FAN.chat)
    assert chat is not None and chat.clock_24h is False
    ahead = text(await router.handle("/next 24h-series-2022", FAN))
    assert "Fri 13 May 4:20 pm CEST" in ahead
    await router.handle("/settings clock 24h", FAN)
    assert "Fri 13 May 16:20 CEST" in text(await router.handle("/next 24h-series-2022", FAN))


async def test_a_new_chat_starts_in_its_platforms_language(setup) -> None:
    router, store = setup
    german = replace(FAN, chat=ChatRef("discord", "7"), language="de")
    assert "Einstellungen für diesen Chat" in text(await router.handle("/settings", german))
    # Only the first contact decides: a chat's choice is not overridden by the next asker.
    english_asker = replace(german, language="en-US")
    assert "Einstellungen für diesen Chat" in text(await router.handle("/settings", english_asker))
    unknown = replace(FAN, chat=ChatRef("telegram", "8"), language="pt-BR")
    assert "Settings for this chat" in text(await router.handle("/settings", unknown))
    stored = await store.get_chat(ChatRef("telegram", "8"))
    assert stored is not None and stored.language == "en"
