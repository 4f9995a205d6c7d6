"""/recap on Discord: the slash command bound from the command table, its options turned back
into the chat command line, the answer hidden in a spoiler-safe channel. The real Runtime and
discord.py client against the fake Discord."""

from __future__ import annotations

from pathlib import Path

from bot.core.clock import FixedClock
from tests.discord.test_conventions import QUIET_DAY, answer_to, make_server, pitboard, shown
from tests.fakes.discord_api import FakeDiscord

RECAP = {"what": "jessica-backman", "event": "tcr-germany-2022/oschersleben"}


async def test_recap_is_a_slash_command_and_is_hidden_where_spoilers_are(tmp_path: Path) -> None:
    async with FakeDiscord(heartbeat_interval=0.5) as fake:
        server = make_server(fake)
        async with pitboard(server, tmp_path / "pitboard.sqlite3", FixedClock(QUIET_DAY)):
            recap = next(c for c in fake.commands(server.guild_id) if c["name"] == "recap")
            assert [o["name"] for o in recap["options"]] == ["what", "event"]
            assert all(o.get("autocomplete") for o in recap["options"])
            answer = await answer_to(server, "recap", RECAP, user=server.fan)
            text = shown(answer)
            assert "Recap: Jessica Bäckman at Oschersleben" in text
            assert "Qualifying 2: DNS. Due to technical problems (fuel pump)." in text
            assert "3: Jessica Bäckman (SE), 44 p." in text and "||" not in answer.text
            await answer_to(
                server, "settings", {"setting": "spoilers", "value": "on"}, user=server.owner
            )
            hidden = await answer_to(server, "recap", RECAP, user=server.fan)
            assert "||" in hidden.text and "Race 1: 1st place" in shown(hidden)
