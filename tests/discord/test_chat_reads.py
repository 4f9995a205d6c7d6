"""An interaction reads its channel's row once, and a setting is seen by the very next command.

The router hands the row it read to the front-end, which renders the answer with it (issue 11:
every command read the same row twice). Reads are counted on the real SQLite store.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.core.audience import Chat, ChatRef
from bot.core.clock import FixedClock
from bot.runtime import Runtime
from tests.discord.test_conventions import QUIET_DAY, answer_to, make_server, pitboard
from tests.fakes.discord_api import FakeDiscord

RESULTS = {"session": "tcr-germany-2022/oschersleben/race-1"}


def count_reads(runtime: Runtime, ref: ChatRef) -> list[ChatRef]:
    """Every `get_chat` of `ref` from now on, recorded; the store still answers as usual."""
    reads: list[ChatRef] = []
    real: Callable[[ChatRef], Awaitable[Chat | None]] = runtime.store.get_chat

    async def get_chat(asked: ChatRef) -> Chat | None:
        if asked == ref:
            reads.append(asked)
        return await real(asked)

    runtime.store.get_chat = get_chat  # type: ignore[method-assign]
    return reads


async def test_an_interaction_reads_the_channel_once(tmp_path: Path) -> None:
    async with FakeDiscord(heartbeat_interval=0.5) as fake:
        server = make_server(fake)
        database = tmp_path / "pitboard.sqlite3"
        async with pitboard(server, database, FixedClock(QUIET_DAY)) as runtime:
            await answer_to(server, "next", user=server.fan)  # first contact: stored
            reads = count_reads(runtime, ChatRef("discord", server.general))
            answer = await answer_to(
                server, "standings", {"series": "tcr-germany-2022"}, user=server.fan
            )
            assert "ADAC TCR Germany 2022" in answer.text
            assert len(reads) == 1


async def test_spoilers_set_on_are_seen_by_the_very_next_command(tmp_path: Path) -> None:
    async with FakeDiscord(heartbeat_interval=0.5) as fake:
        server = make_server(fake)
        async with pitboard(server, tmp_path / "pitboard.sqlite3", FixedClock(QUIET_DAY)):
            shown = await answer_to(server, "results", RESULTS, user=server.fan)
            assert "||" not in shown.text
            await answer_to(
                server, "settings", {"setting": "spoilers", "value": "on"}, user=server.owner
            )
            hidden = await answer_to(server, "results", RESULTS, user=server.fan)
            assert "||" in hidden.text
