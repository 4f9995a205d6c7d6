"""/audit and /undo on Discord say what the command table says (its summary, its argument help,
the chat command's limit): the front-end binds the table's command, it does not restate it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.chats.edits import AUDIT_MAX
from bot.core.clock import FixedClock
from bot.core.commands import find_command
from bot.core.i18n import translate_for
from tests.discord.edit_harness import running_editors

QUIET_DAY = datetime.fromisoformat("2022-05-12T09:00+02:00")


def table_help(name: str, argument: str) -> tuple[str, str]:
    command = find_command(name)
    assert command is not None
    return command.summary, next(a.help for a in command.arguments if a.name == argument)


async def test_audit_and_undo_are_synced_with_the_command_tables_words(tmp_path: Path) -> None:
    async with running_editors(tmp_path, FixedClock(QUIET_DAY)) as world:
        synced = {c["name"]: c for c in world.fake.commands(guild_id=world.guild_id)}
        (count,) = synced["audit"]["options"]
        assert (synced["audit"]["description"], count["description"]) == table_help(
            "audit", "count"
        )
        assert (count["min_value"], count["max_value"]) == (1, AUDIT_MAX)
        (number,) = synced["undo"]["options"]
        assert (synced["undo"]["description"], number["description"]) == table_help("undo", "edit")
        # Translated as the table's words are everywhere else.
        summary, _help = table_help("audit", "count")
        german = synced["audit"]["description_localizations"]["de"]
        assert german == translate_for("de", summary) != summary
