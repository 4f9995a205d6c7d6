"""The soak's own reading of what is due (bench/_soak_due.py) agrees with the bot's planning
on the bundled season, for chats with every kind of filter. The two are written separately
(the bench reads the TOML files and the stored chats itself), so a planning bug shows here and
as "lost" or "unexpected" in the soak's ledger instead of being counted as due."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bench._soak_db import SoakDatabase
from bench._soak_due import expected_posts, stored_followers
from bench._soak_support import discord_channels, make_audience, populate
from bot.core.plan import PlanSettings, plan, recipients
from bot.core.schedules import load_catalog
from bot.store.sqlite import SQLiteStore
from tests.fakes.discord_api import FakeDiscord

SCHEDULES = Path(__file__).resolve().parents[1] / "schedules"
START = datetime(2022, 4, 19, 12, tzinfo=UTC)
END = datetime(2022, 6, 2, 12, tzinfo=UTC)


async def test_the_soaks_due_posts_are_the_bots_plan_for_the_stored_audience(
    tmp_path: Path,
) -> None:
    catalog = load_catalog(SCHEDULES)
    channels = discord_channels(FakeDiscord(allow_violations=True), 20)
    audience = make_audience(catalog, 400, channels, seed=11)
    database = tmp_path / "soak.sqlite3"
    async with SQLiteStore(database) as store:
        await store.migrate()
        await populate(store, audience)
    found = expected_posts(
        SCHEDULES, stored_followers(SoakDatabase(database)), START, END, set(), END
    )

    offsets = {60, 15}.union(*(chat.reminder_minutes for chat, _ in audience.members))
    settings = PlanSettings(reminder_minutes=frozenset(offsets))
    planned = {
        (item.key, ref.platform, ref.id)
        for item in plan(catalog, settings)
        if START <= item.due < END
        for ref in recipients(item, audience.members)
    }
    assert set(found) == planned
    kinds = {item.kind for item in found.values()}
    assert kinds == {"preview", "reminder", "start", "results"}
    assert len(found) > 1000


async def test_a_blocked_chat_is_due_only_what_fell_before_its_block(tmp_path: Path) -> None:
    catalog = load_catalog(SCHEDULES)
    audience = make_audience(catalog, 400, [], seed=3)
    database = tmp_path / "soak.sqlite3"
    async with SQLiteStore(database) as store:
        await store.migrate()
        await populate(store, audience)
    followers = stored_followers(SoakDatabase(database))
    everyone = expected_posts(SCHEDULES, followers, START, END, set(), END)
    blocked_at = datetime(2022, 4, 25, tzinfo=UTC)
    blocked = {(ref.platform, ref.id) for ref in audience.blocked}
    after = expected_posts(SCHEDULES, followers, START, END, blocked, blocked_at)
    gone = set(everyone) - set(after)
    assert gone and all((p, c) in blocked for _, p, c in gone)
    assert all(everyone[post].due >= blocked_at for post in gone)
