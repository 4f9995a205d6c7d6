"""The preview's entry list on every platform: every driver of car #120 is shown, none cut."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.announce import compose
from bot.core.audience import Chat, ChatRef, Subscription
from bot.core.plan import AnnouncementKind, PlanSettings, plan
from bot.core.reply import Reply
from bot.core.schedules import load_catalog
from bot.frontends.console.render import render as console_render
from bot.frontends.discord.render import render as discord_render
from bot.frontends.telegram.render import render as telegram_render

CATALOG = load_catalog(Path(__file__).resolve().parent.parent / "schedules")
CREW = ("Andreas Bäckman", "Oliver Söderström", "Emil Sällberg", "Marcus Fluch")
FAN = ChatRef("console", "fan")


def hockenheim_preview() -> Reply:
    preview = next(
        a
        for a in plan(CATALOG, PlanSettings())
        if a.kind is AnnouncementKind.PREVIEW and a.subject == "24h-series-2022/hockenheim"
    )
    series_fan = Subscription(FAN, series=frozenset({"24h-series-2022"}))
    reply = compose(preview, CATALOG, Chat(FAN), series_fan, preview.due)
    assert reply is not None
    return reply


def telegram_text() -> str:
    return "\n".join(message.text for message in telegram_render(hockenheim_preview()))


def discord_text() -> str:
    messages = discord_render(hockenheim_preview())
    return "\n".join(embed.description or "" for message in messages for embed in message.embeds)


def console_text() -> str:
    return console_render(hockenheim_preview(), colour=False, width=80)


@pytest.mark.parametrize("rendered", [telegram_text, discord_text, console_text])
def test_every_driver_of_car_120_is_in_the_entry_list(rendered) -> None:
    text = rendered()
    # Words may wrap onto the next line of the table, but none is cut or left out.
    words = " ".join(text.split())
    assert "Entry list" in words
    for name in CREW:
        assert name in words, name
    assert "Lestrup" in words and "Audi RS 3" in words
    assert "…" not in text
