"""Fuzzing what fans type: any argument to any command gets a reply, never an exception, and
every reply renders within each platform's limits (Telegram: 4,096 characters, valid HTML with
only the allowed tags, checked by the fake Bot API's own parser; Discord: every embed limit).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.chats import Caller, Router
from bot.chats.admin import Admin
from bot.chats.health import ChannelHealth
from bot.chats.settings import ChatSettings
from bot.chats.throttle import CommandThrottle
from bot.core.audience import ChatKind, ChatRef
from bot.core.catalog import CatalogHolder
from bot.core.clock import FixedClock
from bot.core.commands import COMMANDS
from bot.core.plan import Announcement
from bot.core.schedules import load_catalog
from bot.core.service import Service
from bot.frontends.discord.render import render as render_discord
from bot.frontends.telegram.render import render as render_telegram
from bot.scheduling.reloader import ReloadResult
from bot.store.sqlite import SQLiteStore
from tests.discord.test_render import check_messages as check_discord
from tests.fakes.telegram_spec import parse_html

SCHEDULES = Path(__file__).resolve().parent.parent / "schedules"
CATALOG = load_catalog(SCHEDULES)
HOSTILE = [
    "'; DROP TABLE chats; --",
    "<b>R&D</b> <Motorsport>",
    "**bold** @everyone ||x|| `code` [a](javascript:x)",
    "🏎️" * 300,
    "x" * 20_000,
    "\u0000\u202e\ud7ff",
    "/start /help",
    "tcr-germany-2022/oschersleben/race-1/../../etc",
]
ARGUMENTS = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=3000),
)


class _Planner:
    def pending(self) -> list[Announcement]:
        return []

    async def broadcast(self, text: str) -> int:
        return 0


class _Reloader:
    async def reload(self) -> ReloadResult:
        return ReloadResult(ok=True)


def check_telegram(reply_text_chunks: list[str]) -> None:
    for chunk in reply_text_chunks:
        assert len(chunk) <= 4096
        parsed = parse_html(chunk)  # raises on any tag or entity Telegram would refuse
        assert parsed.text.strip()


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    command=st.sampled_from([c.name for c in COMMANDS]),
    argument=ARGUMENTS,
    language=st.sampled_from(["en", "sv", "de"]),
)
def test_any_argument_to_any_command_renders_on_both_platforms(
    tmp_path_factory: object, command: str, argument: str, language: str
) -> None:
    """In each language: Swedish and German texts are longer, and must fit the same limits."""

    async def run() -> None:
        folder = Path(str(tmp_path_factory.mktemp("fuzz")))  # type: ignore[attr-defined]
        store = SQLiteStore(folder / "db.sqlite3")
        await store.open()
        try:
            catalogs = CatalogHolder(CATALOG)
            clock = FixedClock(datetime.fromisoformat("2022-05-12T09:00+02:00"))
            service = Service(catalogs, clock)
            chats = ChatSettings(
                store, service, clock, default_zone="Europe/Stockholm", default_reminders=(60, 15)
            )
            admin = Admin(store, catalogs, clock, _Planner(), _Reloader(), ChannelHealth())
            router = Router(service, chats, admin, throttle=CommandThrottle(burst=1e9))
            caller = Caller(ChatRef("telegram", "1"), ChatKind.PRIVATE, user_id="1", is_admin=True)
            await router.handle(f"/settings language {language}", caller)
            reply = await router.handle(f"/{command} {argument}", caller)
            assert reply.locale.language == language
            messages = render_telegram(reply, spoiler_safe=True)
            check_telegram([m.text for m in messages])
            for row in (r for m in messages for r in m.keyboard):
                for button in row:
                    assert button.url or (
                        button.callback_data and len(button.callback_data.encode()) <= 64
                    )
            check_discord(render_discord(reply, spoiler_safe=True))
        finally:
            await store.close()

    asyncio.run(run())
