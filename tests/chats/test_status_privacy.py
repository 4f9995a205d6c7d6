"""/status names other chats only to an admin in private; in a group or channel it counts them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.chats import Caller, Router
from bot.chats.admin import Admin
from bot.chats.health import ChannelHealth
from bot.chats.settings import ChatSettings
from bot.core.audience import Chat, ChatKind, ChatRef
from bot.core.catalog import CatalogHolder
from bot.core.clock import FixedClock
from bot.core.schedules import load_catalog
from bot.core.service import Service
from bot.frontends.console.render import render
from bot.store.records import OutboxItem
from bot.store.sqlite import SQLiteStore
from tests.chats.test_router import FakePlanner, FakeReloader

SCHEDULES = Path(__file__).resolve().parents[2] / "schedules"
NOW = datetime.fromisoformat("2022-05-12T09:00+02:00")
FAN_CHAT = ChatRef("telegram", "987654321")  # another fan: their id is theirs
SECRET_CHANNEL = "@backstage_channel"


async def test_status_shows_chat_ids_only_to_an_admin_in_private(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "db.sqlite3")
    await store.open()
    try:
        await store.upsert_chat(Chat(FAN_CHAT, zone="Europe/Berlin"))
        item = OutboxItem("free|1|x", "free", "free", NOW, {"text": "hi"})
        await store.enqueue(item, [FAN_CHAT])
        (delivery,) = await store.claim(NOW, 10)
        await store.mark_retry(delivery.id, "timed out", NOW)
        health = ChannelHealth()
        health.report(SECRET_CHANNEL, "the bot is not an admin with the right to post there")
        health.report_frontend("Discord", "cannot start (ConnectionError); retrying in 4 s")
        catalogs = CatalogHolder(load_catalog(SCHEDULES))
        clock = FixedClock(NOW)
        service = Service(catalogs, clock)
        settings = ChatSettings(store, service, clock, default_zone="UTC", default_reminders=())
        admin = Admin(store, catalogs, clock, FakePlanner(), FakeReloader(), health)
        router = Router(service, settings, admin)

        def admin_in(kind: ChatKind) -> Caller:
            return Caller(ChatRef("telegram", "-100555"), kind, user_id="7", is_admin=True)

        private = render(await router.handle("/status", admin_in(ChatKind.PRIVATE)), colour=False)
        assert FAN_CHAT.id in private and SECRET_CHANNEL in private
        for kind in (ChatKind.CHANNEL, ChatKind.GROUP):
            public = render(await router.handle("/status", admin_in(kind)), colour=False)
            assert FAN_CHAT.id not in public and SECRET_CHANNEL not in public
            assert "1 recent (ask /status in private)" in public
            assert "1 with problems (ask /status in private)" in public
            # Which platform is down is no one's secret.
            assert "Discord: cannot start (ConnectionError); retrying in 4 s" in public
    finally:
        await store.close()
