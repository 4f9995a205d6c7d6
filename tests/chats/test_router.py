"""Chat commands through the router on a real SQLite store: follows, settings, admin refusal."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from bot.chats import Caller, Router
from bot.chats.admin import Admin
from bot.chats.health import ChannelHealth
from bot.chats.settings import ChatSettings
from bot.chats.settings_text import parse_minutes
from bot.core.audience import ChatKind, ChatRef
from bot.core.catalog import CatalogHolder
from bot.core.clock import FixedClock
from bot.core.plan import Announcement
from bot.core.progression import progression
from bot.core.reply import Reply, ReplyStatus
from bot.core.schedules import load_catalog
from bot.core.service import Service
from bot.frontends.console.render import render
from bot.scheduling.reloader import ReloadResult
from bot.store.sqlite import SQLiteStore

SCHEDULES = Path(__file__).resolve().parents[2] / "schedules"
FAN = Caller(ChatRef("telegram", "42"), ChatKind.PRIVATE, user_id="42")
ADMIN = Caller(ChatRef("telegram", "7"), ChatKind.PRIVATE, user_id="7", is_admin=True)


class FakePlanner:
    """Stands in for the announcer: records broadcasts (what /announce hands over)."""

    def __init__(self) -> None:
        self.broadcasts: list[str] = []

    def pending(self) -> list[Announcement]:
        return []

    async def broadcast(self, text: str) -> int:
        self.broadcasts.append(text)
        return 3


class FakeReloader:
    async def reload(self) -> ReloadResult:
        return ReloadResult(ok=True, changes=("moved x: a -> b",))


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
    planner = FakePlanner()
    admin = Admin(store, catalogs, clock, planner, FakeReloader(), ChannelHealth())
    yield Router(service, settings, admin), store, planner
    await store.close()


def text(reply: Reply) -> str:
    return render(reply, colour=False)


async def test_subscribe_offers_choices_then_follows(setup) -> None:
    router, store, _ = setup
    offer = await router.handle("/subscribe", FAN)
    commands = {c.command for c in offer.choices}
    assert "/subscribe tcr-germany-2022" in commands and "/subscribe jessica-backman" in commands
    done = await router.handle("/subscribe jessica-backman", FAN)
    assert "Following Jessica Bäckman" in text(done)
    sub = await store.get_subscription(FAN.chat)
    assert sub is not None and sub.drivers == {"jessica-backman"}
    again = await router.handle("/subscribe jessica", FAN)
    assert "already follow" in text(again)


async def test_subscribe_by_series_name_and_ambiguous_driver(setup) -> None:
    router, store, _ = setup
    await router.handle("/subscribe tcr germany", FAN)
    sub = await store.get_subscription(FAN.chat)
    assert sub is not None and sub.series == {"tcr-germany-2022"}
    which = await router.handle("/subscribe backman", FAN)
    assert which.status is ReplyStatus.AMBIGUOUS and len(which.choices) == 2


async def test_unsubscribe_one_and_all(setup) -> None:
    router, store, _ = setup
    await router.handle("/subscribe tcr-germany-2022", FAN)
    await router.handle("/subscribe andreas-backman", FAN)
    menu = await router.handle("/unsubscribe", FAN)
    assert {c.command for c in menu.choices} == {
        "/unsubscribe tcr-germany-2022",
        "/unsubscribe andreas-backman",
        "/unsubscribe all",
    }
    await router.handle("/unsubscribe tcr-germany-2022", FAN)
    sub = await store.get_subscription(FAN.chat)
    assert sub is not None and sub.series == frozenset() and sub.drivers == {"andreas-backman"}
    await router.handle("/unsubscribe all", FAN)
    assert await store.get_subscription(FAN.chat) is None


async def test_settings_time_zone_by_city_confirms_local_time(setup) -> None:
    router, store, _ = setup
    reply = await router.handle("/settings zone new york", FAN)
    assert "America/New_York" in text(reply) and "03:00" in text(reply)
    chat = await store.get_chat(FAN.chat)
    assert chat is not None and chat.zone == "America/New_York"
    # Queries now answer in the chat's zone.
    nxt = await router.handle("/next", FAN)
    assert "EDT" in text(nxt)
    bad = await router.handle("/settings zone stokholm", FAN)
    assert bad.status is ReplyStatus.NOT_FOUND and "Europe/Stockholm" in text(bad)


async def test_settings_reminders_spoilers_language(setup) -> None:
    router, store, _ = setup
    await router.handle("/settings reminders 30, 10", FAN)
    await router.handle("/settings spoilers on", FAN)
    chat = await store.get_chat(FAN.chat)
    assert chat is not None and chat.reminder_minutes == (30, 10) and chat.spoiler_safe
    overview = text(await router.handle("/settings", FAN))
    assert "30 and 10 min" in overview and "hidden behind a spoiler" in overview
    assert (await router.handle("/settings reminders soon", FAN)).status is ReplyStatus.INVALID
    french = await router.handle("/settings language fr", FAN)
    assert french.status is ReplyStatus.AMBIGUOUS and "“fr” is not one of them" in text(french)
    assert [c.command for c in french.choices][-2:] == [
        "/settings language sv",
        "/settings language de",
    ]
    assert (await router.handle("/settings colour blue", FAN)).status is ReplyStatus.INVALID


@pytest.mark.parametrize(
    ("value", "expected"),
    [("60 15", (60, 15)), ("15,60", (60, 15)), ("off", ()), ("0", ()), ("abc", str), ("0 5", str)],
)
def test_parse_minutes(value: str, expected: object) -> None:
    parsed = parse_minutes(value)
    if expected is str:
        assert isinstance(parsed, str)
    else:
        assert parsed == expected


async def test_admin_commands_are_refused_to_everyone_else(setup) -> None:
    router, _, planner = setup
    for command in ("/status", "/reload", "/announce hello"):
        reply = await router.handle(command, FAN)
        assert reply.status is ReplyStatus.INVALID and "only for Pitboard's admins" in text(reply)
    assert planner.broadcasts == []
    assert "/announce" not in text(await router.handle("/help", FAN))
    assert "/announce" in text(await router.handle("/help", ADMIN))


async def test_admin_commands_work_for_admins(setup) -> None:
    router, _, planner = setup
    await router.handle("/subscribe tcr", FAN)
    status = text(await router.handle("/status", ADMIN))
    assert "Chats: 2 active (1 subscribed)" in status
    assert "moved x" in text(await router.handle("/reload", ADMIN))
    queued = await router.handle("/announce Race 2 delayed", ADMIN)
    assert planner.broadcasts == ["Race 2 delayed"] and "3 chats" in text(queued)
    assert (await router.handle("/announce", ADMIN)).status is ReplyStatus.INVALID


async def test_members_without_manage_rights_cannot_change_a_group(setup) -> None:
    router, store, _ = setup
    member = Caller(ChatRef("discord", "c1"), ChatKind.CHANNEL, user_id="5", can_manage=False)
    reply = await router.handle("/subscribe tcr-germany-2022", member)
    assert reply.status is ReplyStatus.INVALID and "Manage Server" in text(reply)
    assert await store.get_subscription(member.chat) is None
    # Questions are for everyone.
    assert (await router.handle("/standings tcr-germany-2022", member)).ok


async def test_sql_looking_input_is_just_text(setup) -> None:
    router, store, _ = setup
    reply = await router.handle("/subscribe '; DROP TABLE chats; --", FAN)
    assert reply.status is ReplyStatus.NOT_FOUND
    assert await store.get_chat(FAN.chat) is not None


async def test_a_spamming_chat_is_throttled_without_slowing_anyone_else(setup) -> None:
    router, _, _ = setup
    spammer = Caller(ChatRef("telegram", "666"), ChatKind.PRIVATE, user_id="666")
    replies = [await router.handle("/standings tcr-germany-2022", spammer) for _ in range(200)]
    answered = [r for r in replies if r.ok]
    warned = [r for r in replies if not r.ok and not r.silent]
    assert len(answered) == 5  # the burst
    assert len(warned) == 1 and "Slow down" in text(warned[0])
    assert all(r.silent for r in replies[6:])
    # Another fan is answered as usual, and so is the terminal's admin.
    assert (await router.handle("/standings tcr-germany-2022", FAN)).ok
    assert all([(await router.handle("/next", ADMIN)).ok for _ in range(20)])


async def test_the_throttle_is_per_fan_so_a_busy_channel_still_answers_everyone(setup) -> None:
    router, _, _ = setup
    channel = ChatRef("discord", "busy")
    fans = [Caller(channel, ChatKind.CHANNEL, user_id=str(n)) for n in range(20)]
    replies = [await router.handle("/next", fan) for fan in fans]
    assert all(reply.ok for reply in replies)


async def test_answer_hands_back_the_row_as_a_setting_left_it(setup) -> None:
    router, _, _ = setup
    before = await router.answer("/next", FAN)
    assert before.chat is not None and not before.chat.spoiler_safe
    changed = await router.answer("/settings spoilers on", FAN)
    assert changed.chat is not None and changed.chat.spoiler_safe  # not the row read before
    after = await router.answer("/next", FAN)
    assert after.chat is not None and after.chat.spoiler_safe


async def test_settings_chart_with_results_is_off_until_a_chat_turns_it_on(setup) -> None:
    router, store, _ = setup
    asked = await router.handle("/settings chart", FAN)
    assert asked.status is ReplyStatus.AMBIGUOUS and "Now: off" in text(asked)
    done = await router.handle("/settings chart on", FAN)
    assert "will carry the standings chart" in text(done)
    chat = await store.get_chat(FAN.chat)
    assert chat is not None and chat.chart_with_results
    assert "Standings chart with results: yes" in text(await router.handle("/settings", FAN))
    await router.handle("/settings chart off", FAN)
    chat = await store.get_chat(FAN.chat)
    assert chat is not None and not chat.chart_with_results


async def test_chart_highlights_what_the_chat_follows_and_hides_it_when_asked(setup) -> None:
    router, _, _ = setup
    await router.handle("/subscribe jessica backman", FAN)
    await router.handle("/settings spoilers on", FAN)
    reply = await router.handle("/chart tcr-germany-2022", FAN)
    assert reply.attachment is not None and reply.attachment.spoiler
    assert reply.attachment.data.startswith(b"\x89PNG")
    assert reply.contains_results and "After round 1 of 7" in text(reply)
    # Drawn with Jessica highlighted: the chart kept for that cut and highlight is this one.
    catalog = router.service.catalog
    drawn = progression(
        catalog,
        "tcr-germany-2022",
        until=datetime.fromisoformat("2022-05-12T09:00+02:00"),
        highlight={"jessica-backman"},
    )
    assert router.charts.chart(catalog, drawn).png == reply.attachment.data
    assert router.charts.drawn == 1


async def test_chart_without_a_series_asks_which(setup) -> None:
    router, _, _ = setup
    reply = await router.handle("/chart", FAN)
    assert reply.status is ReplyStatus.AMBIGUOUS and reply.attachment is None
    assert "/chart tcr-germany-2022" in [c.command for c in reply.choices]
