"""Lookups a fan can live with, through the router on a real store: short event names after a
driver, session-kind filters on /subscribe, settings menus that show their state, plurals."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from bot.chats import Caller, Router
from bot.chats.admin import Admin
from bot.chats.health import ChannelHealth
from bot.chats.settings import ChatSettings
from bot.core.audience import ChatKind, ChatRef
from bot.core.catalog import CatalogHolder
from bot.core.clock import FixedClock
from bot.core.model import SessionKind
from bot.core.plan import Announcement, PlanSettings, plan, recipients
from bot.core.reply import Reply, ReplyStatus
from bot.core.schedules import load_catalog
from bot.core.service import Service
from bot.frontends.console.render import render
from bot.scheduling.reloader import ReloadResult
from bot.store.sqlite import SQLiteStore

SCHEDULES = Path(__file__).resolve().parents[2] / "schedules"
FAN = Caller(ChatRef("telegram", "42"), ChatKind.PRIVATE, user_id="42")
OPERATOR = Caller(ChatRef("console", "terminal"), ChatKind.PRIVATE, user_id="op", is_admin=True)
ADMIN = Caller(ChatRef("telegram", "7"), ChatKind.PRIVATE, user_id="7", is_admin=True)


class OneChatPlanner:
    def pending(self) -> list[Announcement]:
        return []

    async def broadcast(self, text: str) -> int:
        return 1


class NoReload:
    async def reload(self) -> ReloadResult:
        return ReloadResult(ok=True)


@pytest.fixture
async def chat(tmp_path: Path):
    store = SQLiteStore(tmp_path / "db.sqlite3")
    await store.open()
    catalogs = CatalogHolder(load_catalog(SCHEDULES))
    clock = FixedClock(datetime.fromisoformat("2022-04-25T12:00+02:00"))
    service = Service(catalogs, clock)
    settings = ChatSettings(
        store, service, clock, default_zone="Europe/Stockholm", default_reminders=(60, 15)
    )
    admin = Admin(store, catalogs, clock, OneChatPlanner(), NoReload(), ChannelHealth())
    yield Router(service, settings, admin), store
    await store.close()


def text(reply: Reply) -> str:
    return render(reply, colour=False)


async def test_driver_then_a_short_event_name_works_in_a_chat(chat) -> None:
    router, _ = chat
    reply = await router.handle("/driver jessica oschersleben", FAN)
    assert reply.status is ReplyStatus.OK, text(reply)
    assert reply.title == "Jessica Bäckman"
    assert "Race 1 WIN" in text(reply) and "Oschersleben (TCR Germany 2022" in text(reply)
    # A name with a space still works on its own, and with an event.
    assert (await router.handle("/driver jessica backman", FAN)).title == "Jessica Bäckman"
    both = await router.handle("/driver jessica backman oschersleben", FAN)
    assert both.title == "Jessica Bäckman" and "Race 1 WIN" in text(both)


async def test_driver_with_an_ambiguous_short_event_asks_which_and_keeps_the_driver(chat) -> None:
    router, _ = chat
    reply = await router.handle("/driver jessica hockenheim", FAN)
    assert reply.status is ReplyStatus.AMBIGUOUS
    assert {c.command for c in reply.choices} == {
        "/driver jessica-backman 24h-series-2022/hockenheim",
        "/driver jessica-backman tcr-germany-2022/hockenheim",
    }


async def test_which_driver_keeps_the_weekend_asked_for(chat) -> None:
    router, _ = chat
    asked = await router.handle("/driver backman oschersleben", OPERATOR)
    assert asked.status is ReplyStatus.AMBIGUOUS
    pick = next(c.command for c in asked.choices if c.label == "Jessica Bäckman")
    assert pick == "/driver jessica-backman tcr-germany-2022/oschersleben"
    answer = await router.handle(pick, OPERATOR)
    assert answer.title == "Jessica Bäckman" and "Race 1 WIN" in text(answer)


async def test_subscribe_with_a_session_kind_follows_only_those_sessions(chat) -> None:
    router, store = chat
    reply = await router.handle("/subscribe tcr races", OPERATOR)
    assert "Following TCR Germany 2022" in text(reply)
    assert "Sessions: races only" in text(reply)
    sub = await store.get_subscription(OPERATOR.chat)
    assert sub is not None
    assert sub.series == {"tcr-germany-2022"} and sub.session_kinds == {SessionKind.RACE}
    # The filter decides who gets what: results of a race, not of a qualifying.
    audience = await store.audience()
    catalog = router.service.catalog
    planned = plan(catalog, PlanSettings())
    race = next(a for a in planned if a.subject == "tcr-germany-2022/oschersleben/race-1")
    quali = next(a for a in planned if a.subject == "tcr-germany-2022/oschersleben/qualifying-1")
    assert recipients(race, audience) == [OPERATOR.chat]
    assert recipients(quali, audience) == []
    # Kinds add up, and "all sessions" lifts the filter.
    await router.handle("/subscribe tcr qualifying", OPERATOR)
    sub = await store.get_subscription(OPERATOR.chat)
    assert sub is not None and sub.session_kinds == {SessionKind.RACE, SessionKind.QUALIFYING}
    cleared = await router.handle("/subscribe all sessions", OPERATOR)
    assert "Every session again" in text(cleared)
    sub = await store.get_subscription(OPERATOR.chat)
    assert sub is not None and sub.session_kinds == frozenset()
    assert sub.series == {"tcr-germany-2022"}


async def test_settings_menus_show_the_current_state(chat) -> None:
    router, _ = chat
    # The bot's admin is exempt from the per-fan command throttle: many commands in a row.
    overview = await router.handle("/settings", OPERATOR)
    labels = [c.label for c in overview.choices]
    assert "Spoiler-safe results: off" in labels
    assert "Time zone: Europe/Stockholm" in labels and "Reminders: 60, 15 min" in labels
    spoilers = await router.handle("/settings spoilers", OPERATOR)
    assert [c.label for c in spoilers.choices] == ["On", "✓ Off"]
    await router.handle("/settings spoilers on", OPERATOR)
    spoilers = await router.handle("/settings spoilers", OPERATOR)
    assert [c.label for c in spoilers.choices] == ["✓ On", "Off"]
    assert "Spoiler-safe results: on" in [
        c.label for c in (await router.handle("/settings", OPERATOR)).choices
    ]
    await router.handle("/settings reminders 30", OPERATOR)
    reminders = await router.handle("/settings reminders", OPERATOR)
    assert "✓ 30 min" in [c.label for c in reminders.choices]
    await router.handle("/settings zone tokyo", OPERATOR)
    zones = await router.handle("/settings zone", OPERATOR)
    assert "✓ Asia/Tokyo" in [c.label for c in zones.choices]
    assert (await router.handle("/settings language", OPERATOR)).choices[0].label == "✓ English"


async def test_one_chat_is_one_chat(chat) -> None:
    router, _ = chat
    reply = await router.handle("/announce Race 2 is delayed", ADMIN)
    assert text(reply) == "Announcement queued for 1 chat."


def test_a_kind_word_inside_a_name_is_not_a_filter() -> None:
    from bot.core.lookup import split_session_kinds

    assert split_session_kinds("tcr races and qualifying") == (
        "tcr",
        frozenset({SessionKind.RACE, SessionKind.QUALIFYING}),
    )
    assert split_session_kinds("race tcr") == ("race tcr", None)
    assert split_session_kinds("jessica") == ("jessica", None)
    assert split_session_kinds("tcr all sessions") == ("tcr", frozenset())


def test_counts_read_as_english() -> None:
    from bot.core.formatting import count

    assert [count(n, "chat") for n in (0, 1, 2)] == ["0 chats", "1 chat", "2 chats"]
    assert count(1, "series", "series") == "1 series"
