"""Telegram in three languages: the command menus per language and kind of chat, and a new
chat that starts in the language of the fan's app (the real PTB Application, the fake Bot API
checking every request, setMyCommands' language_code and scope included)."""

from __future__ import annotations

from pathlib import Path

from bot.core.clock import FixedClock
from tests.telegram.harness import FAN, OTHER_FAN, QUIET_DAY, running_bot

PRIVATE = {"type": "all_private_chats"}
GROUPS = {"type": "all_group_chats"}
GROUP_ADMINS = {"type": "all_chat_administrators"}


async def test_menus_are_set_per_language_and_scope(tmp_path: Path) -> None:
    async with running_bot(tmp_path, FixedClock(QUIET_DAY)) as (fake, _):
        english = {c["command"]: c["description"] for c in fake.commands(PRIVATE)}
        swedish = {c["command"]: c["description"] for c in fake.commands(PRIVATE, "sv")}
        german = {c["command"]: c["description"] for c in fake.commands(PRIVATE, "de")}
        assert english["next"] == "The next sessions, with a countdown"
        assert swedish["next"] == "Kommande pass, med nedräkning"
        assert german["next"] == "Die nächsten Sessions, mit Countdown"
        # The same commands in every language; the bot's operator commands in none.
        assert set(english) == set(swedish) == set(german)
        assert "announce" not in english and "settings" in english
        # Groups: the questions anyone may ask; their admins also get the chat's settings.
        for language in ("", "sv", "de"):
            in_groups = {c["command"] for c in fake.commands(GROUPS, language)}
            for_admins = {c["command"] for c in fake.commands(GROUP_ADMINS, language)}
            assert "standings" in in_groups and "settings" not in in_groups
            assert {"standings", "settings", "subscribe"} <= for_admins
        # Users of other languages see the default list, which is English.
        assert {c["command"] for c in fake.commands()} == set(english)


async def test_a_new_chat_starts_in_the_fans_language(tmp_path: Path) -> None:
    async with running_bot(tmp_path, FixedClock(QUIET_DAY)) as (fake, _):
        fake.push_message(FAN, "/settings", language_code="sv")
        swedish = await fake.wait_for_message(FAN, timeout=30)
        assert "Inställningar för den här chatten" in swedish.text
        assert "Språk: Svenska" in swedish.text
        fake.push_message(OTHER_FAN, "/settings", language_code="pt-BR")
        other = await fake.wait_for_message(OTHER_FAN, timeout=30)
        assert "Settings for this chat" in other.text
        # The chat keeps its language when the app's changes; /settings language changes it.
        fake.push_message(FAN, "/settings language de", language_code="en")
        german = await fake.wait_for_message(FAN, timeout=30)
        assert "Sprache: Deutsch." in german.text
        fake.push_message(FAN, "/standings tcr-germany-2022", language_code="en")
        standings = await fake.wait_for_message(FAN, timeout=30)
        assert "Nach Lauf 1 von 7 (Oschersleben)" in standings.text
        assert "Pkt." in standings.text
